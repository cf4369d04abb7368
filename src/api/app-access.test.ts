import { describe, expect, it } from 'vitest';

import {
  NOW,
  TOKEN,
  ago,
  appOverStoreDown,
  useApiHarness,
  type Json,
} from '../../test/helpers/api-harness.js';
import { observation, stressedSignals } from '../../test/helpers/api-fixtures.js';

const harness = useApiHarness();

describe('bearer token', () => {
  const paths = ['/status', '/status/summary', '/status/history', '/healthz', '/metrics', '/nope'];

  it.each(paths)('%s needs the token when one is set', async (path) => {
    const h = await harness({ api: { token: TOKEN } });
    const missing = await h.get(path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="headway"');
    const wrong = await h.get(path, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const basic = await h.get(path, { headers: { Authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    const ok = await h.get(path, { headers: { Authorization: `bearer ${TOKEN}` } });
    expect(ok.status).toBe(path === '/nope' ? 404 : 200);
  });

  it('is not needed when none is set', async () => {
    const h = await harness();
    expect((await h.get('/status')).status).toBe(200);
  });
});

describe('CORS', () => {
  const origin = 'https://grafana.example.com';
  const preflight = {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    },
  };

  it('allows no origin on loopback either when no origins are configured', async () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.1.2.3']) {
      const h = await harness({ api: { host } });
      const res = await h.get('/status', { headers: { Origin: origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), host).toBeNull();
    }
  });

  it('refuses a Host that is not this copilot’s (DNS rebinding), before anything else', async () => {
    const h = await harness({ api: { host: '127.0.0.1' } });
    const evil = await h.get('/status', { headers: { Host: 'evil.example:8081', Origin: origin } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await evil.json()) as { error: string }).error).toBe('host_not_allowed');
    const named = await harness({ api: { host: '0.0.0.0', allowed_hosts: ['copilot.example'] } });
    expect((await named.get('/status', { headers: { Host: 'copilot.example' } })).status).toBe(200);
    expect((await named.get('/status', { headers: { Host: '10.1.2.3:8081' } })).status).toBe(200);
  });

  it('sends no CORS headers beyond loopback when no origins are configured', async () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'copilot.internal']) {
      const h = await harness({ api: { host } });
      const res = await h.get('/status', { headers: { Origin: origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), host).toBeNull();
      const pre = await h.get('/status', preflight);
      expect(pre.headers.get('access-control-allow-origin'), host).toBeNull();
    }
  });

  it('echoes a listed origin only', async () => {
    const h = await harness({
      api: { host: '0.0.0.0', cors_origins: [origin, 'http://localhost:3000'] },
    });
    const listed = await h.get('/status', { headers: { Origin: origin } });
    expect(listed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(listed.headers.get('vary')).toContain('Origin');
    const other = await h.get('/status', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight before authentication, and 401s carry CORS headers', async () => {
    const h = await harness({ api: { token: TOKEN, cors_origins: [origin] } });
    const pre = await h.get('/status', preflight);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    const denied = await h.get('/status', { headers: { Origin: origin } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('keeps CORS headers on error answers', async () => {
    const h = await harness({ api: { cors_origins: [origin] } });
    h.storeDown();
    const res = await h.get('/status', { headers: { Origin: origin } });
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('read cache', () => {
  it('reuses the latest rows for cacheMs but judges freshness on every request', async () => {
    const h = await harness({ cacheMs: 60_000 });
    expect((await h.json<Json>('/status')).health_state).toBe('stressed');
    await h.store.saveSnapshot(stressedSignals(ago(0)), ago(0), {
      observation: observation({ health_state: 'critical' }),
    });
    // Within cacheMs the earlier rows are served...
    expect((await h.json<Json>('/status')).health_state).toBe('stressed');
    // ...but their age is judged against the clock of each request.
    h.setNow(new Date(NOW.getTime() + 120_000));
    expect((await h.json<Json>('/status')).health_state).toBe('unknown');

    const fresh = await harness({ cacheMs: 0 });
    await fresh.store.saveSnapshot(stressedSignals(ago(0)), ago(0), {
      observation: observation({ health_state: 'critical' }),
    });
    expect((await fresh.json<Json>('/status')).health_state).toBe('critical');
  });

  it('does not keep a failed read', async () => {
    const { store } = await harness();
    const { app, comeBack } = appOverStoreDown(store, 60_000);
    expect((await app.request('/status')).status).toBe(503);
    comeBack();
    expect((await app.request('/status')).status).toBe(200);
  });
});

describe('logging', () => {
  it('logs each request at debug level without headers', async () => {
    const h = await harness({ api: { token: TOKEN } });
    await h.get('/status', { headers: { Authorization: `Bearer ${TOKEN}` } });
    const entry = h.logs.map((l) => JSON.parse(l) as Json).find((l) => l.msg === 'request');
    expect(entry).toMatchObject({ component: 'api', method: 'GET', path: '/status', status: 200 });
    expect(h.logs.join('')).not.toContain(TOKEN);
  });
});
