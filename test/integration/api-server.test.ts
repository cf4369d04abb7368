import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { startApiServer, type ApiServer } from '../../src/api/index.js';
import { openStore, seedStressed, type OpenedStore } from '../helpers/api-fixtures.js';
import { ErrorCode, HeadwayError } from '../../src/errors.js';

/** The API served over real sockets: listening, ports, auth and shutdown as a client sees them. */

const TOKEN = 'integration-token-0123456789';

let opened: OpenedStore;
let server: ApiServer;

beforeAll(async () => {
  opened = await openStore();
  await seedStressed(opened.store, new Date());
  server = await startApiServer(
    {
      store: () => Promise.resolve(opened.store),
      api: { cors_origins: [], host: '127.0.0.1', token: TOKEN },
      version: 'it',
    },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await server.close();
  await opened.close();
});

const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

describe('startApiServer', () => {
  it('listens on the given host and reports the port it got', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url.endsWith(`:${String(server.port)}`)).toBe(true);
  });

  it('serves /status with the observation and the assessment', async () => {
    const res = await fetch(`${server.url}/status`, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ health_state: 'stressed', issue_count: 3, stale: false });
    expect(body.recommended_actions).toHaveLength(2);
  });

  it('serves every route over HTTP', async () => {
    for (const path of [
      '/status/services',
      '/status/issues?severity=critical',
      '/status/summary',
      '/status/timeline',
      '/healthz',
    ]) {
      expect((await fetch(`${server.url}${path}`, auth)).status, path).toBe(200);
    }
    const metrics = await fetch(`${server.url}/metrics`, auth);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toContain(
      'copilot_log_pattern_count{pattern="reservoir discard",service="history"} 128',
    );
    const actions = await fetch(`${server.url}/actions`, { ...auth, method: 'POST' });
    expect(actions.status).toBe(501);
    const bad = await fetch(`${server.url}/status/issues?limit=0`, auth);
    expect(bad.status).toBe(400);
  });

  it('refuses requests without the token', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="headway"');
  });

  it('gives a cross-origin request no CORS header on loopback (no origins configured)', async () => {
    const res = await fetch(`${server.url}/status/summary`, {
      headers: { ...auth.headers, Origin: 'http://localhost:3000' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a request whose Host names another site (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpGet(
        {
          host: '127.0.0.1',
          port,
          path: '/status',
          headers: { ...auth.headers, Host: `rebind.example:${port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('answers many concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${server.url}/status`, auth)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    await Promise.all(answers.map((r) => r.arrayBuffer()));
  });

  it('fails with PORT_IN_USE naming the port when it is taken', async () => {
    const err = await startApiServer(
      { store: () => Promise.resolve(opened.store), api: { cors_origins: [], host: '127.0.0.1' } },
      { host: '127.0.0.1', port: server.port },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.PortInUse);
    expect((err as HeadwayError).message).toContain(String(server.port));
  });

  it('fails with PORT_IN_USE when another program holds the port', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const port = (other.address() as { port: number }).port;
    const err = await startApiServer(
      { store: () => Promise.resolve(opened.store), api: { cors_origins: [], host: '127.0.0.1' } },
      { host: '127.0.0.1', port },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PortInUse });
    expect((err as HeadwayError).message).toContain(String(port));
  });

  it('closes promptly even with an idle keep-alive connection, and then refuses connections', async () => {
    const second = await startApiServer(
      { store: () => Promise.resolve(opened.store), api: { cors_origins: [], host: '127.0.0.1' } },
      { host: '127.0.0.1', port: 0 },
    );
    const res = await fetch(`${second.url}/healthz`, { keepalive: true });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const t0 = performance.now();
    await second.close();
    expect(performance.now() - t0).toBeLessThan(2_000);
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
    // Closing twice is harmless.
    await second.close();
  });

  it('answers 503 and stays up while the store is down', async () => {
    let up = false;
    const flaky = await startApiServer(
      {
        store: () => (up ? Promise.resolve(opened.store) : Promise.reject(new Error('down'))),
        api: { cors_origins: [], host: '127.0.0.1' },
      },
      { host: '127.0.0.1', port: 0 },
    );
    onTestFinished(() => flaky.close());
    const down = await fetch(`${flaky.url}/status`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: 'State store unavailable', degraded: true });
    expect((await fetch(`${flaky.url}/healthz`)).status).toBe(503);
    up = true;
    expect((await fetch(`${flaky.url}/status`)).status).toBe(200);
  });
});
