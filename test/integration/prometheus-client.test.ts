import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  PrometheusClient,
  PrometheusError,
  instantQuery,
  isPrometheusReady,
  runInstantQueries,
} from '../../src/signals/prometheus-client.js';
import type { PrometheusAuth } from '../../src/signals/prometheus-auth.js';
import { signRequest } from '../../src/signals/sigv4.js';
import { findFreePorts } from '../../src/os/ports.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually } from '../helpers/cli.js';
import { startDevServer } from '../helpers/dev-server.js';
import type { DevServer } from '../helpers/dev-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const WEB_CONFIG = fileURLToPath(new URL('../fixtures/prometheus/web-config.yml', import.meta.url));
/** The test-only credentials whose bcrypt hash is in WEB_CONFIG. */
const BASIC_USER = 'headway';
const BASIC_PASSWORD = 'headway-basic-auth-test-only';

const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');

interface RunningPrometheus {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the real Prometheus on a free loopback port with its own config and data directory, and
 * polls `/-/ready` (with `auth`, when the web config demands it) until it answers.
 */
async function startPrometheus(options: {
  targets: readonly string[];
  webConfig?: string;
  auth?: PrometheusAuth;
}): Promise<RunningPrometheus> {
  const { prometheus } = await testBinaries();
  const dir = makeTempDir('headway-prom-client-');
  const [port] = await findFreePorts(1);
  const config = join(dir.path, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: temporal',
      '    static_configs:',
      `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir.path, 'prometheus.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(options.webConfig === undefined ? [] : [`--web.config.file=${options.webConfig}`]),
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const stop = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    dir.remove();
  };

  const url = `http://127.0.0.1:${port}`;
  const probe = new PrometheusClient({
    baseUrl: url,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  try {
    await eventually(
      'Prometheus ready',
      async () => {
        if (hasExited) throw new Error(`prometheus exited: ${readFileSync(logFile, 'utf8')}`);
        return (await probe.ready({ timeoutMs: 1_000 })) ? true : undefined;
      },
      60_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** A loopback HTTP server that records each request and answers with `answer`. */
async function startStandIn(answer: (body: string) => { status: number; body: unknown }): Promise<{
  url: string;
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  close: () => Promise<void>;
}> {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] =
    [];
  const server: HttpServer = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = answer(body);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const EMPTY_VECTOR = { status: 'success', data: { resultType: 'vector', result: [] } };

describe('PrometheusClient against a real Prometheus scraping a real Temporal dev server', () => {
  let devServer: DevServer;
  let prom: RunningPrometheus;
  let client: PrometheusClient;

  beforeAll(async () => {
    devServer = await startDevServer();
    prom = await startPrometheus({ targets: [new URL(devServer.metricsUrl).host] });
    client = new PrometheusClient({ baseUrl: prom.url });
    await eventually('the first scrape of the dev server', async () => {
      const samples = await client.instant('up{job="temporal"} == 1');
      return samples.length > 0 ? samples : undefined;
    });
  });

  afterAll(async () => {
    await prom?.stop();
    await devServer?.stop();
  });

  it('runs an instant query', async () => {
    const samples = await client.instant('up');
    expect(samples).toHaveLength(1);
    const [sample] = samples;
    expect(sample?.metric).toMatchObject({
      __name__: 'up',
      job: 'temporal',
      instance: new URL(devServer.metricsUrl).host,
    });
    expect(sample?.value).toBe(1);
    expect(Math.abs(sample!.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });

  it('runs a range query over the last 30 s with a 1 s step', async () => {
    // Scrapes arrive every second; wait until the window holds several of them.
    const series = await eventually(
      'five scraped points',
      async () => {
        const end = new Date();
        const result = await client.range('up{job="temporal"}', {
          start: new Date(end.getTime() - 30_000),
          end,
          stepSeconds: 1,
        });
        return (result[0]?.values.length ?? 0) >= 5 ? result : undefined;
      },
      40_000,
    );
    expect(series).toHaveLength(1);
    const values = series[0]!.values;
    expect(values.every((p) => p.value === 1)).toBe(true);
    for (let i = 1; i < values.length; i++) {
      expect(values[i]!.timestamp - values[i - 1]!.timestamp).toBeCloseTo(1, 3);
    }
  });

  it('returns NaN and ±Inf from Prometheus as JavaScript numbers', async () => {
    const [nan] = await client.instant('vector(NaN)');
    const [inf] = await client.instant('vector(+Inf)');
    const [negInf] = await client.instant('vector(-Inf)');
    expect(nan?.value).toBeNaN();
    expect(inf?.value).toBe(Infinity);
    expect(negInf?.value).toBe(-Infinity);
  });

  it('reports a bad query with the path and the Prometheus errorType', async () => {
    const err = await client.instant('sum(up{').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PrometheusError);
    const error = err as PrometheusError;
    expect(error.message).toContain(`POST ${prom.url}/api/v1/query failed: HTTP 400 Bad Request`);
    expect(error.message).toContain('bad_data: ');
    expect(error.message).toContain('parse error');
    expect(error).toMatchObject({ failure: 'api', status: 400, errorType: 'bad_data' });
  });

  it('runs 20 queries at most 3 at a time; the invalid one fails alone', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    // In flight = from sending the request until its body is read, measured around our fetch.
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const response = await fetch(input, init);
        const body = await response.arrayBuffer();
        // Hold each request a little so that the limit, not luck, decides the overlap.
        await new Promise((resolve) => setTimeout(resolve, 25));
        return new Response(body, { status: response.status, headers: response.headers });
      } finally {
        inFlight--;
      }
    };
    const counted = new PrometheusClient({ baseUrl: prom.url, fetch: countingFetch });
    const queries = new Map(
      Array.from(
        { length: 20 },
        (_, i) => [`q${i}`, i === 7 ? 'rate(up[' : `up{job="temporal"} * ${i}`] as const,
      ),
    );
    const outcomes = await runInstantQueries(counted, queries, {
      concurrency: 3,
      timeoutMs: 10_000,
    });

    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBe(3);
    expect(outcomes.size).toBe(20);
    for (const [key, outcome] of outcomes) {
      if (key === 'q7') {
        expect(outcome.ok).toBe(false);
        expect(!outcome.ok && outcome.error).toContain('bad_data');
        continue;
      }
      expect(outcome.ok).toBe(true);
      expect(outcome.ok && outcome.samples[0]?.value).toBe(Number(key.slice(1)));
    }
  });

  it('keeps the stack’s instantQuery and isPrometheusReady working', async () => {
    expect(await isPrometheusReady(prom.url)).toBe(true);
    expect((await instantQuery(prom.url, 'up{job="temporal"}'))[0]?.value).toBe(1);
  });
});

describe('PrometheusClient against a real Prometheus with basic auth (--web.config.file)', () => {
  let prom: RunningPrometheus;
  const auth: PrometheusAuth = { type: 'basic', username: BASIC_USER, password: BASIC_PASSWORD };

  beforeAll(async () => {
    prom = await startPrometheus({ targets: [], webConfig: WEB_CONFIG, auth });
  });

  afterAll(async () => {
    await prom?.stop();
  });

  it('answers with the right credentials', async () => {
    const client = new PrometheusClient({ baseUrl: prom.url, auth });
    expect(await client.ready()).toBe(true);
    expect((await client.instant('vector(42)'))[0]?.value).toBe(42);
  });

  it('rejects a wrong password with 401, without the password in the error', async () => {
    const wrong = 'not-the-password-' + 'x'.repeat(8);
    const client = new PrometheusClient({
      baseUrl: prom.url,
      auth: { type: 'basic', username: BASIC_USER, password: wrong },
    });
    const err = await client.instant('up').then(
      () => undefined,
      (e: unknown) => e as PrometheusError,
    );
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err?.message).toContain('HTTP 401 Unauthorized');
    expect(err?.failure).toBe('auth');
    const thrown = `${err?.message} ${err?.stack} ${JSON.stringify(err)} ${String(err?.hint)}`;
    expect(thrown).not.toContain(wrong);
    expect(thrown).not.toContain(Buffer.from(`${BASIC_USER}:${wrong}`).toString('base64'));
    expect(await client.ready()).toBe(false);
  });

  it('rejects a request without auth with 401', async () => {
    const client = new PrometheusClient({ baseUrl: prom.url });
    await expect(client.instant('up')).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('HTTP 401 Unauthorized') as unknown,
    });
    expect(await isPrometheusReady(prom.url)).toBe(false);
  });
});

describe('PrometheusClient failures without a working server', () => {
  let silent: TcpServer;
  const sockets: Socket[] = [];
  let silentUrl: string;
  let stalling: HttpServer;
  let stallingUrl: string;

  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    // Sends the headers and half a body, then stalls.
    stalling = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    stallingUrl = `http://127.0.0.1:${(stalling.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    stalling.closeAllConnections();
    await new Promise((resolve) => stalling.close(resolve));
  });

  it('times out against a server that accepts and never answers', async () => {
    const started = Date.now();
    const err = await new PrometheusClient({ baseUrl: silentUrl, timeoutMs: 300 })
      .instant('up')
      .then(
        () => undefined,
        (e: unknown) => e as PrometheusError,
      );
    expect(err?.message).toBe(`POST ${silentUrl}/api/v1/query timed out after 300 ms`);
    expect(err?.failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out while reading a body that stops half way', async () => {
    const err = await new PrometheusClient({ baseUrl: stallingUrl })
      .range('up', { start: new Date(0), end: new Date(1_000), stepSeconds: 1, timeoutMs: 300 })
      .then(
        () => undefined,
        (e: unknown) => e as PrometheusError,
      );
    expect(err?.message).toBe(`POST ${stallingUrl}/api/v1/query_range timed out after 300 ms`);
  });

  it('names ECONNREFUSED when nothing listens', async () => {
    const [port] = await findFreePorts(1);
    const url = `http://127.0.0.1:${port}`;
    const err = await new PrometheusClient({ baseUrl: url }).instant('up').then(
      () => undefined,
      (e: unknown) => e as PrometheusError,
    );
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err?.message).toMatch(new RegExp(`^POST ${url}/api/v1/query failed: .*ECONNREFUSED`));
    expect(err?.failure).toBe('network');
    expect(await isPrometheusReady(url)).toBe(false);
  });
});

describe('bearer token (node:http stand-in: Prometheus itself has no bearer-token check)', () => {
  it('sends Authorization: Bearer <token> and never echoes the token in errors', async () => {
    const token = 'bearer-it-secret-7f3a';
    const standIn = await startStandIn((body) =>
      new URLSearchParams(body).get('query') === 'bad'
        ? { status: 400, body: { status: 'error', errorType: 'bad_data', error: `got ${token}` } }
        : { status: 200, body: EMPTY_VECTOR },
    );
    try {
      const client = new PrometheusClient({
        baseUrl: standIn.url,
        auth: { type: 'bearer', token },
      });
      expect(await client.instant('up')).toEqual([]);
      expect(standIn.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
      expect(standIn.requests[0]?.method).toBe('POST');
      expect(standIn.requests[0]?.headers['content-type']).toBe(
        'application/x-www-form-urlencoded',
      );

      const err = await client.instant('bad').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toContain('bad_data: got [redacted]');
      expect(`${err?.message} ${err?.stack}`).not.toContain(token);
    } finally {
      await standIn.close();
    }
  });
});

describe('SigV4 (node:http stand-in for Amazon Managed Prometheus)', () => {
  it('sends Authorization, X-Amz-Date, X-Amz-Content-Sha256 and the session token, as signed', async () => {
    const standIn = await startStandIn(() => ({ status: 200, body: EMPTY_VECTOR }));
    const now = new Date('2026-03-04T05:06:07Z');
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'it-secret-access-key',
      sessionToken: 'it-session-token',
    };
    try {
      const client = new PrometheusClient({
        baseUrl: `${standIn.url}/workspaces/ws-test`,
        auth: { type: 'sigv4', region: 'eu-central-1' },
        env: {
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: credentials.sessionToken,
        },
        now: () => now,
      });
      await client.instant('sum(rate(temporal_request_total[5m]))');
      const [received] = standIn.requests;
      expect(received?.method).toBe('POST');
      expect(received?.url).toBe('/workspaces/ws-test/api/v1/query');
      expect(received?.headers['x-amz-date']).toBe('20260304T050607Z');
      expect(received?.headers['x-amz-content-sha256']).toBe(sha256Hex(received!.body));
      expect(received?.headers['x-amz-security-token']).toBe(credentials.sessionToken);

      // Recompute the signature from what actually arrived: host header, path and body.
      const expected = await signRequest(
        {
          method: received!.method,
          url: new URL(received!.url, `http://${received!.headers.host}`),
          body: received!.body,
        },
        { region: 'eu-central-1', service: 'aps', credentials, now },
      );
      expect(received?.headers.authorization).toBe(expected.headers.authorization);
      expect(received?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260304\/eu-central-1\/aps\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      await standIn.close();
    }
  });
});
