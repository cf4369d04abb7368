import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import {
  NOW,
  appOverStoreDown,
  TOKEN,
  ago,
  useApiHarness,
  type Json,
  type Nested,
} from '../../test/helpers/api-harness.js';
import { assessmentInput } from '../../test/helpers/api-fixtures.js';

import { createApiApp } from './app.js';

const harness = useApiHarness();

describe('GET /status/issues', () => {
  it('lists the latest assessment’s issues, most severe first, in the reference shape', async () => {
    const h = await harness();
    const { issues } = await h.json<{ issues: Json[] }>('/status/issues');
    expect(issues.map((i) => i.severity)).toEqual(['critical', 'warning', 'info']);
    expect(issues[0]).toMatchObject({
      title: 'Persistence latency high',
      likely_cause: 'Connection pool 88% used; OCC conflicts 2.5/s.',
      suggested_actions: ['Raise persistence.maxConns'],
      related_signals: [
        'primary_signals.persistence.latency_p99_ms',
        'amplifiers.connection_pool.utilization_pct',
      ],
      created_at: ago(5).toISOString(),
      resolved_at: null,
    });
    expect(issues[2]).toMatchObject({ likely_cause: null, suggested_actions: [] });
    for (const key of ['id', 'description']) expect(typeof issues[0]![key]).toBe('string');
  });

  it('filters by severity and limits', async () => {
    const h = await harness();
    const warning = await h.json<{ issues: Json[] }>('/status/issues?severity=warning');
    expect(warning.issues.map((i) => i.title)).toEqual(['History backlog rising']);
    const one = await h.json<{ issues: Json[] }>('/status/issues?limit=1');
    expect(one.issues.map((i) => i.severity)).toEqual(['critical']);
    const max = await h.json<{ issues: Json[] }>('/status/issues?limit=100&unknown=1');
    expect(max.issues).toHaveLength(3);
  });

  it.each([
    ['severity=fatal', ['severity']],
    ['severity=', ['severity']],
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=abc', ['limit']],
    ['limit=1.5', ['limit']],
    ['limit=-1', ['limit']],
    ['limit=', ['limit']],
    ['severity=bad&limit=1000', ['severity', 'limit']],
  ])('refuses %s with 400 naming the parameter', async (qs, names) => {
    const h = await harness();
    const res = await h.get(`/status/issues?${qs}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: { parameter: string }[] };
    expect(body.error).toBe('bad_request');
    expect(body.problems.map((p) => p.parameter).sort()).toEqual([...names].sort());
  });

  it('is empty when there is no assessment', async () => {
    const h = await harness({ seed: false });
    expect(await h.json('/status/issues')).toEqual({ issues: [] });
  });
});

describe('GET /status/timeline', () => {
  it('lists the last 24 h of assessments, newest first', async () => {
    const h = await harness();
    await h.store.saveAssessment(assessmentInput(ago(25 * 3600), { health_state: 'critical' }));
    const { timeline } = await h.json<{ timeline: Json[] }>('/status/timeline');
    expect(timeline.map((t) => [t.timestamp, t.health_state, t.issue_count])).toEqual([
      [ago(5).toISOString(), 'stressed', 3],
      [ago(3600).toISOString(), 'happy', 0],
    ]);
    expect(timeline[0]).toMatchObject({ trigger: 'state_change' });
    expect((timeline[0]!.primary_signals as Nested).history!.backlog_age_sec).toBe(150);
  });

  it('honours start and end', async () => {
    const h = await harness();
    const q = (start: Date, end: Date) =>
      `/status/timeline?start=${start.toISOString()}&end=${end.toISOString()}`;
    const last = await h.json<{ timeline: Json[] }>(q(ago(60), NOW));
    expect(last.timeline.map((t) => t.health_state)).toEqual(['stressed']);
    const earlier = await h.json<{ timeline: Json[] }>(q(ago(7200), ago(60)));
    expect(earlier.timeline.map((t) => t.health_state)).toEqual(['happy']);
    // An offset other than Z is accepted.
    const offset = await h.json<{ timeline: Json[] }>(
      '/status/timeline?start=2026-03-01T13:00:00%2B02:00&end=2026-03-01T14:00:00%2B02:00',
    );
    expect(offset.timeline.map((t) => t.health_state)).toEqual(['stressed', 'happy']);
    // An unencoded + (decoded as a space) is still read as an offset.
    const plus = await h.json<{ timeline: Json[] }>(
      '/status/timeline?start=2026-03-01T13:00:00+02:00&end=2026-03-01T14:00:00+02:00',
    );
    expect(plus.timeline).toHaveLength(2);
    // Only start: up to now.
    const since = await h.json<{ timeline: Json[] }>(
      `/status/timeline?start=${ago(10).toISOString()}`,
    );
    expect(since.timeline).toHaveLength(1);
  });

  it.each([
    ['start=yesterday', 'start'],
    ['end=2026-13-01T00:00:00Z', 'end'],
    ['start=2026-03-01T10:00:00', 'start'],
    ['start=2026-03-01T11:00:00Z&end=2026-03-01T10:00:00Z', 'end'],
    ['start=2026-03-01T11:00:00Z&end=2026-03-01T11:00:00Z', 'end'],
    ['start=2026-01-01T00:00:00Z&end=2026-03-01T00:00:00Z', 'start'],
    ['start=2026-03-02T00:00:00Z', 'start'],
    ['end=0000-01-01T00:00:00Z', 'end'],
    ['start=0000-01-01T00:00:00Z&end=2026-03-01T00:00:00Z', 'start'],
  ])('refuses %s with 400 naming %s', async (qs, name) => {
    const h = await harness();
    const res = await h.get(`/status/timeline?${qs}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: { parameter: string; message: string }[] };
    expect(body.problems.map((p) => p.parameter)).toEqual([name]);
  });
});

describe('other routes', () => {
  it('POST /actions is the reference’s 501 placeholder', async () => {
    const h = await harness();
    const res = await h.get('/actions', { method: 'POST', body: '{}' });
    expect(res.status).toBe(501);
    expect(await res.json()).toEqual({
      error: 'Not implemented',
      message: 'Automated remediation is planned for a future release.',
    });
  });

  it('answers 405 with Allow for a known path and a wrong method, 404 otherwise', async () => {
    const h = await harness();
    const get = await h.get('/actions');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await h.get('/status', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const missing = await h.get('/profiles/');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('GET /healthz reports the store', async () => {
    const h = await harness();
    expect(await h.json('/healthz')).toEqual({ ok: true, store: 'ok', version: '0.1.0-test' });
    h.storeDown();
    const res = await h.get('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, store: 'unavailable' });
  });

  it('GET /healthz says when pruning is overdue (rows a day past retention remain), and logs it', async () => {
    const h = await harness({ retentionDays: 7 });
    expect(await h.json('/healthz')).toEqual({ ok: true, store: 'ok', version: '0.1.0-test' });
    h.setNow(new Date(NOW.getTime() + 7.5 * 86_400_000));
    expect(await h.json('/healthz')).toEqual({ ok: true, store: 'ok', version: '0.1.0-test' });
    h.setNow(new Date(NOW.getTime() + 9 * 86_400_000));
    const overdue = await h.json<Record<string, unknown>>('/healthz');
    expect(overdue).toMatchObject({ ok: true, store: 'ok', prune: 'overdue' });
    expect(Date.parse(String(overdue.oldest_row))).toBeLessThanOrEqual(NOW.getTime());
    expect(h.logs.join('\n')).toContain('store prune overdue');
  });
});

describe('store unavailable', () => {
  const routes = [
    '/status',
    '/status/services',
    '/status/issues',
    '/status/summary',
    '/status/timeline',
    '/status/history',
  ];

  it.each(routes)('%s answers 503 when the store is closed', async (path) => {
    const h = await harness();
    h.storeDown();
    const res = await h.get(path);
    expect(res.status).toBe(503);
    const expected = { error: 'State store unavailable', health_state: 'unknown', degraded: true };
    expect(await res.json()).toEqual({ ...expected, detail: expected });
  });

  it('answers 503 when the store cannot be opened, and never leaks the reason', async () => {
    const logs: string[] = [];
    const app = createApiApp({
      store: () =>
        Promise.reject(
          new Error('connect ECONNREFUSED postgres://headway:hunter2@db.internal:5432/headway'),
        ),
      api: { cors_origins: [], host: '127.0.0.1', token: TOKEN },
      logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
    });
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    for (const path of [...routes, '/healthz']) {
      const res = await app.request(path, auth);
      expect(res.status, path).toBe(503);
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('ECONNREFUSED');
    }
    expect(logs.length).toBeGreaterThan(0);
    const logged = logs.join('\n');
    expect(logged).toContain('ECONNREFUSED');
    expect(logged).toContain('postgres://***@db.internal');
    expect(logged).not.toContain('hunter2');
  });

  it('recovers when the store comes back', async () => {
    const { store } = await harness();
    const { app, comeBack } = appOverStoreDown(store);
    expect((await app.request('/status')).status).toBe(503);
    comeBack();
    expect((await app.request('/status')).status).toBe(200);
  });
});
