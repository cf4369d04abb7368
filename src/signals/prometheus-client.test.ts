import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';
import {
  client,
  fakeFetch,
  hangingFetch,
  json,
  rejection,
  vector,
} from '../../test/helpers/prometheus-fetch.js';

import {
  PrometheusClient,
  instantQuery,
  isPrometheusReady,
  runInstantQueries,
} from './prometheus-client.js';

describe('PrometheusClient.instant', () => {
  it('POSTs the query as a form to /api/v1/query with the timeout, and parses the vector', async () => {
    const { fetch, calls } = fakeFetch(() =>
      vector([{ metric: { job: 'a' }, value: [1700000000.5, '3.25'] }]),
    );
    const samples = await client(fetch).instant('sum by (job) (up)', {
      time: new Date(1_700_000_000_250),
      timeoutMs: 1500,
    });
    expect(samples).toEqual([{ metric: { job: 'a' }, value: 3.25, timestamp: 1700000000.5 }]);
    const [call] = calls;
    expect(call?.method).toBe('POST');
    expect(call?.url).toBe('http://prom.test:9090/api/v1/query');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.redirect).toBe('manual');
    expect(Object.fromEntries(new URLSearchParams(call?.body))).toEqual({
      query: 'sum by (job) (up)',
      time: '1700000000.250',
      timeout: '1500ms',
    });
  });

  it('keeps a base path (Amazon Managed Prometheus workspaces, route prefixes)', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    const c = client(fetch, { baseUrl: 'https://aps.test/workspaces/ws-1/' });
    await c.instant('up');
    expect(calls[0]?.url).toBe('https://aps.test/workspaces/ws-1/api/v1/query');
    expect(c.baseUrl).toBe('https://aps.test/workspaces/ws-1');
  });

  it('sends a long query in the body, not the URL', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    const query = `sum(${Array.from({ length: 2000 }, (_, i) => `up{i="${i}"}`).join(' or ')})`;
    await client(fetch).instant(query);
    expect(calls[0]?.url).toBe('http://prom.test:9090/api/v1/query');
    expect(new URLSearchParams(calls[0]?.body).get('query')).toBe(query);
  });

  it('returns NaN, +Inf and -Inf as JavaScript numbers', async () => {
    const { fetch } = fakeFetch(() =>
      vector([
        { metric: { v: 'nan' }, value: [1, 'NaN'] },
        { metric: { v: 'inf' }, value: [1, '+Inf'] },
        { metric: { v: '-inf' }, value: [1, '-Inf'] },
        { metric: { v: 'exp' }, value: [1, '1e-3'] },
      ]),
    );
    const values = (await client(fetch).instant('x')).map((s) => s.value);
    expect(values).toEqual([NaN, Infinity, -Infinity, 0.001]);
  });

  it('returns a scalar result as one sample without labels', async () => {
    const { fetch } = fakeFetch(() =>
      json({ status: 'success', data: { resultType: 'scalar', result: [12, '2'] } }),
    );
    expect(await client(fetch).instant('1 + 1')).toEqual([{ metric: {}, value: 2, timestamp: 12 }]);
  });

  it('rejects a matrix result with an error that says to use a range query', async () => {
    const { fetch } = fakeFetch(() =>
      json({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    );
    const err = await rejection(client(fetch).instant('up[1m]'));
    expect(err.message).toBe(
      'POST http://prom.test:9090/api/v1/query returned a matrix result; an instant query needs a vector or a scalar',
    );
    expect(err.failure).toBe('response');
    expect(err.code).toBe(ErrorCode.PrometheusQueryFailed);
  });

  it('rejects sample values that are not numbers', async () => {
    const { fetch } = fakeFetch(() => vector([{ metric: {}, value: [1, 'lots'] }]));
    const err = await rejection(client(fetch).instant('x'));
    expect(err.message).toContain('returned a sample value that is not a number: "lots"');
  });
});

describe('PrometheusClient.range', () => {
  it('POSTs start, end and step to /api/v1/query_range and parses the matrix', async () => {
    const { fetch, calls } = fakeFetch(() =>
      json({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { job: 'a' },
              values: [
                [100, '1'],
                [101, 'NaN'],
              ],
            },
          ],
        },
      }),
    );
    const series = await client(fetch).range('up', {
      start: new Date(100_000),
      end: new Date(130_000),
      stepSeconds: 1,
    });
    expect(series).toEqual([
      {
        metric: { job: 'a' },
        values: [
          { timestamp: 100, value: 1 },
          { timestamp: 101, value: NaN },
        ],
      },
    ]);
    expect(calls[0]?.url).toBe('http://prom.test:9090/api/v1/query_range');
    expect(Object.fromEntries(new URLSearchParams(calls[0]?.body))).toEqual({
      query: 'up',
      start: '100.000',
      end: '130.000',
      step: '1',
      timeout: '5000ms',
    });
  });

  it('refuses a non-positive step or an end before the start without a request', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    const c = client(fetch);
    await expect(
      c.range('up', { start: new Date(0), end: new Date(1000), stepSeconds: 0 }),
    ).rejects.toThrow(RangeError);
    await expect(
      c.range('up', { start: new Date(1000), end: new Date(0), stepSeconds: 1 }),
    ).rejects.toThrow('ends before it starts');
    expect(calls).toHaveLength(0);
  });
});

describe('PrometheusClient errors', () => {
  it('names the path and the Prometheus errorType and error', async () => {
    const { fetch } = fakeFetch(() =>
      json(
        {
          status: 'error',
          errorType: 'bad_data',
          error: 'invalid parameter "query": 1:4: parse error: unexpected end of input',
        },
        400,
      ),
    );
    const err = await rejection(client(fetch).instant('up{'));
    expect(err.message).toBe(
      'POST http://prom.test:9090/api/v1/query failed: HTTP 400 Bad Request: bad_data: ' +
        'invalid parameter "query": 1:4: parse error: unexpected end of input',
    );
    expect(err).toMatchObject({
      code: ErrorCode.PrometheusQueryFailed,
      failure: 'api',
      status: 400,
      errorType: 'bad_data',
      method: 'POST',
      url: 'http://prom.test:9090/api/v1/query',
    });
    expect(err).toBeInstanceOf(HeadwayError);
  });

  it('names the HTTP status and a short body when the answer is not Prometheus JSON', async () => {
    const { fetch } = fakeFetch(
      () => new Response(`<html>${'x'.repeat(500)}</html>`, { status: 502 }),
    );
    const err = await rejection(client(fetch).instant('up'));
    expect(err.message).toMatch(
      /^POST http:\/\/prom\.test:9090\/api\/v1\/query failed: HTTP 502 Bad Gateway: <html>x+…$/,
    );
    expect(err.message.length).toBeLessThan(300);
    expect(err.failure).toBe('http');
  });

  it('reports 401 and 403 as authentication failures', async () => {
    const { fetch } = fakeFetch(() => new Response('Unauthorized\n', { status: 401 }));
    const err = await rejection(client(fetch).instant('up'));
    expect(err.message).toBe(
      'POST http://prom.test:9090/api/v1/query failed: HTTP 401 Unauthorized: Unauthorized',
    );
    expect(err.code).toBe(ErrorCode.PrometheusAuthFailed);
    expect(err.failure).toBe('auth');
    expect(err.hint).toContain('credentials');
  });

  it('shows the message of an AWS-style JSON error', async () => {
    const { fetch } = fakeFetch(() =>
      json({ message: 'The security token included in the request is invalid.' }, 403),
    );
    const err = await rejection(client(fetch).instant('up'));
    expect(err.message).toContain(
      'HTTP 403 Forbidden: The security token included in the request is invalid.',
    );
  });

  it('does not follow redirects, and says where it was sent', async () => {
    const { fetch } = fakeFetch(
      () => new Response(null, { status: 307, headers: { location: 'https://prom.test/' } }),
    );
    const err = await rejection(client(fetch).instant('up'));
    expect(err.message).toContain('HTTP 307 Temporary Redirect (redirected to https://prom.test/)');
  });

  it('says "timed out after N ms" when nothing answers in time', async () => {
    const started = Date.now();
    const err = await rejection(
      client(hangingFetch, { timeoutMs: 5_000 }).instant('up', { timeoutMs: 50 }),
    );
    expect(err.message).toBe('POST http://prom.test:9090/api/v1/query timed out after 50 ms');
    expect(err.failure).toBe('timeout');
    expect(err.code).toBe(ErrorCode.PrometheusUnreachable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says "aborted" when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = client(hangingFetch).instant('up', { signal: controller.signal });
    controller.abort(new Error('shutting down'));
    const err = await rejection(pending);
    expect(err.message).toBe('POST http://prom.test:9090/api/v1/query was aborted');
    expect(err.failure).toBe('aborted');
  });

  it("names the network cause code that Node's fetch hides in err.cause", async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const failing = (() =>
      Promise.reject(new TypeError('fetch failed', { cause: refused }))) as typeof fetch;
    const err = await rejection(client(failing).instant('up'));
    expect(err.message).toBe(
      'POST http://prom.test:9090/api/v1/query failed: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(err.failure).toBe('network');
    expect(err.hint).toContain('http://prom.test:9090');

    // Several addresses (localhost → ::1 and 127.0.0.1): an AggregateError with only a code.
    const aggregate = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    const both = (() =>
      Promise.reject(new TypeError('fetch failed', { cause: aggregate }))) as typeof fetch;
    expect((await rejection(client(both).instant('up'))).message).toBe(
      'POST http://prom.test:9090/api/v1/query failed: ECONNREFUSED',
    );
  });
});

describe('PrometheusClient construction', () => {
  it('refuses credentials in the URL without printing them', () => {
    const make = () => new PrometheusClient({ baseUrl: 'http://ann:hunter2@prom.test' });
    expect(make).toThrow('Prometheus URL must not contain credentials');
    try {
      make();
    } catch (err) {
      expect(inspect(err)).not.toContain('hunter2');
    }
  });

  it('refuses a URL that does not parse, hiding any userinfo', () => {
    let message = '';
    try {
      new PrometheusClient({ baseUrl: 'http://ann:hunter2@prom test' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('Prometheus URL is not a valid URL: http://[redacted]@prom test');
  });

  it('refuses other schemes, query strings and bad timeouts', () => {
    expect(() => new PrometheusClient({ baseUrl: 'ftp://prom.test' })).toThrow('http or https');
    expect(() => new PrometheusClient({ baseUrl: 'http://prom.test/?x=1' })).toThrow(
      'query string',
    );
    expect(() => new PrometheusClient({ baseUrl: 'http://prom.test', timeoutMs: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('PrometheusClient.ready', () => {
  it('is true on 2xx from /-/ready and false otherwise, never throwing', async () => {
    const ok = fakeFetch(() => new Response('Prometheus Server is Ready.\n'));
    expect(await client(ok.fetch).ready()).toBe(true);
    expect(ok.calls[0]).toMatchObject({ method: 'GET', url: 'http://prom.test:9090/-/ready' });

    const starting = fakeFetch(() => new Response('Service Unavailable', { status: 503 }));
    expect(await client(starting.fetch).ready()).toBe(false);
    expect(await client(hangingFetch).ready({ timeoutMs: 20 })).toBe(false);
  });
});

describe('runInstantQueries', () => {
  /** A fetch whose answers the test releases one by one, counting requests in flight. */
  function gatedFetch() {
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: (() => void)[] = [];
    const { fetch, calls } = fakeFetch(async (request) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      const query = new URLSearchParams(request.body).get('query') ?? '';
      if (query.startsWith('bad')) {
        return json(
          { status: 'error', errorType: 'bad_data', error: `cannot parse ${query}` },
          400,
        );
      }
      return vector([{ metric: { q: query }, value: [1, '1'] }]);
    });
    const releaseAll = async (): Promise<void> => {
      while (calls.length === 0 || waiting.length > 0) {
        waiting.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { fetch, calls, releaseAll, maxInFlight: () => maxInFlight };
  }

  it('keeps at most `concurrency` queries in flight and isolates failures', async () => {
    const gate = gatedFetch();
    const queries = new Map(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, i === 4 ? 'bad{' : `q${i}`] as const),
    );
    const pending = runInstantQueries(client(gate.fetch), queries, { concurrency: 3 });
    await gate.releaseAll();
    const outcomes = await pending;

    expect(gate.maxInFlight()).toBe(3);
    expect([...outcomes.keys()]).toEqual([...queries.keys()]);
    const failed = outcomes.get('k4');
    expect(failed?.ok).toBe(false);
    expect(failed?.ok === false && failed.error).toContain('bad_data: cannot parse bad{');
    for (const [key, outcome] of outcomes) {
      if (key === 'k4') continue;
      expect(outcome.ok && outcome.samples[0]?.metric.q).toBe(queries.get(key));
      expect(outcome.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('applies the per-query timeout and one evaluation time to every query', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    const time = new Date(1_000_000);
    await runInstantQueries(
      client(fetch),
      new Map([
        ['a', 'up'],
        ['b', 'down'],
      ]),
      { timeoutMs: 250, time },
    );
    for (const call of calls) {
      const params = new URLSearchParams(call.body);
      expect(params.get('timeout')).toBe('250ms');
      expect(params.get('time')).toBe('1000.000');
    }
  });

  it('turns timeouts and aborts into failed outcomes instead of rejecting', async () => {
    const controller = new AbortController();
    const pending = runInstantQueries(
      client(hangingFetch),
      new Map([
        ['a', 'up'],
        ['b', 'up'],
      ]),
      { signal: controller.signal, concurrency: 1 },
    );
    controller.abort();
    const outcomes = await pending;
    expect([...outcomes.values()].map((o) => o.ok === false && o.error)).toEqual([
      'POST http://prom.test:9090/api/v1/query was aborted',
      'POST http://prom.test:9090/api/v1/query was aborted',
    ]);

    const timedOut = await runInstantQueries(client(hangingFetch), new Map([['a', 'up']]), {
      timeoutMs: 20,
    });
    expect(timedOut.get('a')).toMatchObject({
      ok: false,
      error: expect.stringContaining('timed out after 20 ms') as unknown,
    });
  });

  it('stops sending once a query got no answer and `stillAnswering` says Prometheus is silent', async () => {
    const { fetch, calls } = fakeFetch((request) =>
      new URLSearchParams(request.body).get('query') === 'q2'
        ? Promise.reject(new TypeError('fetch failed'))
        : vector([]),
    );
    const queries = new Map(Array.from({ length: 6 }, (_, i) => [`k${i}`, `q${i}`] as const));
    let asked = 0;
    const outcomes = await runInstantQueries(client(fetch), queries, {
      concurrency: 1,
      stillAnswering: () => Promise.resolve(++asked > 1),
    });
    expect(asked).toBe(1);
    expect(calls).toHaveLength(3);
    expect(outcomes.get('k2')).toMatchObject({ ok: false, unreachable: true });
    expect(outcomes.get('k5')).toMatchObject({
      ok: false,
      unreachable: true,
      error: expect.stringContaining('not sent') as unknown,
    });

    // Answering again: every query is sent, and an API error is not "no answer".
    const again = fakeFetch((request) =>
      new URLSearchParams(request.body).get('query') === 'q2'
        ? Promise.reject(new TypeError('fetch failed'))
        : json({ status: 'error', errorType: 'bad_data', error: 'no' }, 400),
    );
    const kept = await runInstantQueries(client(again.fetch), queries, {
      concurrency: 1,
      stillAnswering: () => Promise.resolve(true),
    });
    expect(again.calls).toHaveLength(6);
    expect(kept.get('k0')).toMatchObject({ ok: false, unreachable: false });
  });

  it('returns an empty map for no queries and refuses a concurrency below 1', async () => {
    const { fetch } = fakeFetch(() => vector([]));
    expect((await runInstantQueries(client(fetch), new Map())).size).toBe(0);
    await expect(
      runInstantQueries(client(fetch), new Map([['a', 'up']]), { concurrency: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe('instantQuery and isPrometheusReady (the stack’s entry points)', () => {
  it('isPrometheusReady is false for an unusable URL instead of throwing', async () => {
    expect(await isPrometheusReady('not a url')).toBe(false);
  });

  it('instantQuery rejects (not throws) for an unusable URL', async () => {
    const pending = instantQuery('ftp://prom.test', 'up');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid });
  });
});
