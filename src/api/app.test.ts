import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HealthState } from '../health/types.js';
import { fieldOf, SIGNALS } from '../signals/registry.js';
import type { AssessmentStore } from '../store/repository.js';

import { createApiApp, type ApiDeps } from './app.js';
import {
  assessmentInput,
  observation,
  openStore,
  resetStore,
  seedStressed,
  stressedSignals,
  type OpenedStore,
} from '../../test/helpers/api-fixtures.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (s: number, from: Date = NOW): Date => new Date(from.getTime() - s * 1000);
const TOKEN = 'test-token-0123456789abcdef';

// Opening PGlite takes seconds; the tests share one store, emptied before each, and one closed
// store that stands for a store that went down.
let shared: OpenedStore;
let closed: OpenedStore;
beforeAll(async () => {
  [shared, closed] = await Promise.all([openStore(), openStore()]);
  await closed.close();
}, 60_000);
afterAll(() => shared.close());

interface Harness {
  readonly app: ReturnType<typeof createApiApp>;
  readonly store: AssessmentStore;
  readonly logs: string[];
  /** Moves the API's clock. */
  setNow(d: Date): void;
  /** From now on the API reads a closed store, whose every query fails. */
  storeDown(): void;
  get(path: string, init?: RequestInit): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
}

async function harness(
  options: { seed?: boolean; api?: Partial<ApiDeps['api']>; cacheMs?: number } = {},
): Promise<Harness> {
  await resetStore(shared.db);
  if (options.seed !== false) await seedStressed(shared.store, NOW);
  let now = NOW;
  let down = false;
  const logs: string[] = [];
  const app = createApiApp({
    store: () => Promise.resolve(down ? closed.store : shared.store),
    api: { cors_origins: [], host: '127.0.0.1', ...options.api },
    now: () => now,
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    version: '0.1.0-test',
    cacheMs: options.cacheMs ?? 0,
  });
  const get = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
  return {
    app,
    store: shared.store,
    logs,
    setNow: (d) => {
      now = d;
    },
    storeDown: () => {
      down = true;
    },
    get,
    json: async <T>(path: string, init?: RequestInit) => {
      const res = await get(path, init);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      return (await res.json()) as T;
    },
  };
}

type Json = Record<string, unknown>;
type Nested = Record<string, Record<string, unknown>>;

/** Every wire field of the registry under `group`, as [section, field] pairs. */
function registryKeys(group: 'primary_signals' | 'amplifiers'): [string, string][] {
  return SIGNALS.filter((d) => d.source !== 'logs')
    .map((d) => fieldOf(d).split('.'))
    .filter(([g]) => g === group)
    .map(([, s, f]) => [s!, f!]);
}

describe('GET /status', () => {
  it('reports the latest observation, with the latest assessment’s issues and actions', async () => {
    const h = await harness();
    const body = await h.json<Json>('/status');
    expect(body).toMatchObject({
      health_state: 'stressed',
      timestamp: ago(2).toISOString(),
      observed_at: ago(2).toISOString(),
      observation_age_s: 2,
      stale: false,
      scale_band: 'starter',
      fired_gates: ['stressed.history_backlog', 'stressed.persistence_latency'],
      issue_count: 3,
      errors: [],
      consecutive_critical: 0,
    });
    expect(body.recommended_actions).toEqual(assessmentInput(NOW).recommended_actions);
    expect(body.log_patterns).toEqual(observation().log_patterns);
    expect(body.reasons).toEqual(observation().reasons);
    expect(body.data_quality).toEqual(stressedSignals(NOW).quality);
    const primary = body.primary_signals as Nested;
    expect(primary.state_transitions!.throughput_per_sec).toBe(42);
    expect(primary.history!.backlog_age_sec).toBe(150);
    const amplifiers = body.amplifiers as Nested;
    expect(amplifiers.connection_pool!.utilization_pct).toBe(88);
    expect(amplifiers.persistence!.occ_conflicts_per_sec).toBe(2.5);
    expect(amplifiers.queue!.task_backlog_depth).toBe(420);
    expect(amplifiers.host!.gc_pause_ms).toBeNull();
    expect((body.worker_signals as Json).activity_slots_used).toBe(188);
    expect(typeof body.assessment_id).toBe('string');
  });

  it('has every registry key in primary_signals and amplifiers, null when the signal is absent', async () => {
    const h = await harness();
    const body = await h.json<Json>('/status');
    for (const group of ['primary_signals', 'amplifiers'] as const) {
      const obj = body[group] as Nested;
      for (const [section, field] of registryKeys(group)) {
        expect(obj[section], `${group}.${section}`).toBeDefined();
        expect(Object.hasOwn(obj[section]!, field), `${group}.${section}.${field}`).toBe(true);
      }
    }
    // Absent in the stored snapshot, present (null) in the answer.
    expect((body.amplifiers as Nested).runtime!.blocked_goroutines).toBeNull();
    expect((body.amplifiers as Nested).grpc!.in_flight_requests).toBeNull();
  });

  it('says unknown, never happy, when there is no data at all', async () => {
    const h = await harness({ seed: false });
    const body = await h.json<Json>('/status');
    expect(body).toMatchObject({
      health_state: 'unknown',
      timestamp: NOW.toISOString(),
      observed_at: null,
      stale: false,
      recommended_actions: [],
      issue_count: 0,
      log_patterns: [],
      assessment_id: null,
      data_quality: null,
    });
    expect((body.reasons as string[])[0]).toMatch(
      /no observation yet: is the copilot worker running/,
    );
    for (const group of ['primary_signals', 'amplifiers'] as const) {
      const obj = body[group] as Nested;
      for (const [section, field] of registryKeys(group)) expect(obj[section]![field]).toBeNull();
    }
  });

  it('says unknown when the latest observation is older than 3 × cadence + 5 s', async () => {
    const h = await harness();
    // cadence 30 s → limit 95 s; the observation is 2 s old at NOW.
    h.setNow(new Date(NOW.getTime() + 93_000));
    expect((await h.json<Json>('/status')).health_state).toBe('stressed');
    h.setNow(new Date(NOW.getTime() + 94_000));
    const stale = await h.json<Json>('/status');
    expect(stale).toMatchObject({ health_state: 'unknown', stale: true, observation_age_s: 96 });
    expect((stale.reasons as string[])[0]).toBe(
      'no observation for 96 s (limit 95 s): is the copilot worker running?',
    );
    // The last values are still shown, flagged stale; the assessment's actions remain.
    expect((stale.primary_signals as Nested).history!.backlog_age_sec).toBe(150);
    expect(stale.issue_count).toBe(3);
    expect(stale.fired_gates).toEqual([]);
  });

  it('scales the freshness limit with the observation’s cadence', async () => {
    const h = await harness({ seed: false });
    await h.store.saveSnapshot(stressedSignals(ago(60)), ago(60), {
      observation: observation({ cadence_s: 10 }),
    });
    const body = await h.json<Json>('/status');
    expect(body.health_state).toBe('unknown');
    expect((body.reasons as string[])[0]).toContain('limit 35 s');
  });

  it('says unknown when the latest snapshot carries no observation', async () => {
    const h = await harness();
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1));
    const body = await h.json<Json>('/status');
    expect(body.health_state).toBe('unknown');
    expect((body.reasons as string[])[0]).toMatch(/carries no observation/);
  });

  it('passes through an observation that is itself unknown, with its reasons', async () => {
    const h = await harness();
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
      observation: observation({
        health_state: 'unknown',
        reasons: ['unknown: Prometheus did not answer'],
        errors: ['prometheus: connect ECONNREFUSED'],
        fired_gates: [],
      }),
    });
    const body = await h.json<Json>('/status');
    expect(body).toMatchObject({
      health_state: 'unknown',
      stale: false,
      reasons: ['unknown: Prometheus did not answer'],
      errors: ['prometheus: connect ECONNREFUSED'],
      issue_count: 3,
    });
  });

  it('shows no actions and no issues when the cluster is happy now', async () => {
    const h = await harness();
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
      observation: observation({ health_state: 'happy', fired_gates: [], reasons: ['ok'] }),
    });
    const body = await h.json<Json>('/status');
    expect(body).toMatchObject({ health_state: 'happy', recommended_actions: [], issue_count: 0 });
  });

  it('caps recommended actions at 5', async () => {
    const h = await harness();
    const action = assessmentInput(NOW).recommended_actions[0]!;
    await h.store.saveAssessment(
      assessmentInput(ago(1), {
        recommended_actions: Array.from({ length: 8 }, (_, i) => ({
          ...action,
          description: `action ${String(i)}`,
        })),
      }),
    );
    const body = await h.json<Json>('/status');
    expect((body.recommended_actions as unknown[]).length).toBe(5);
  });

  it('is never cached by browsers or proxies', async () => {
    const h = await harness();
    const ok = await h.get('/status');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
    h.storeDown();
    expect((await h.get('/status')).headers.get('cache-control')).toBe('no-store');
  });

  it('answers HEAD without a body', async () => {
    const h = await harness();
    const res = await h.get('/status', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('GET /status/summary', () => {
  it('is the latest assessment’s summary when it agrees with the current state', async () => {
    const h = await harness();
    const body = await h.json<Json>('/status/summary');
    expect(body).toMatchObject({
      summary: assessmentInput(NOW).summary,
      health_state: 'stressed',
      timestamp: ago(2).toISOString(),
      assessment_health_state: 'stressed',
      assessment_timestamp: ago(5).toISOString(),
    });
  });

  it('says what holds now when the last assessment judged another state', async () => {
    const h = await harness();
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
      observation: observation({ health_state: 'happy', is_idle: true }),
    });
    const body = await h.json<Json>('/status/summary');
    expect(body.health_state).toBe('happy');
    expect(body.summary).toBe(
      `Now happy (idle); last assessment (2026-03-01T11:59:55Z, stressed): ${assessmentInput(NOW).summary}`,
    );
  });

  it('says why when the state is unknown', async () => {
    const h = await harness();
    h.setNow(new Date(NOW.getTime() + 210_000));
    const body = await h.json<Json>('/status/summary');
    expect(body.health_state).toBe('unknown');
    expect(body.summary).toBe(
      'Health unknown: no observation for 212 s (limit 95 s): is the copilot worker running? ' +
        `Last assessment (2026-03-01T11:59:55Z, stressed): ${assessmentInput(NOW).summary}`,
    );
  });

  it('says there is no assessment yet', async () => {
    const h = await harness({ seed: false });
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), { observation: observation() });
    expect((await h.json<Json>('/status/summary')).summary).toBe('No assessment yet.');
    const empty = await harness({ seed: false });
    const body = await empty.json<Json>('/status/summary');
    expect(body.health_state).toBe('unknown');
    expect(body.summary).toBe(
      'Health unknown: no observation yet: is the copilot worker running? No assessment yet.',
    );
  });

  const states: HealthState[] = ['happy', 'stressed', 'critical', 'unknown'];
  it.each(states.flatMap((now) => states.map((last) => ({ now, last }))))(
    'never contradicts the badge (now $now, last assessment $last)',
    async ({ now, last }) => {
      const h = await harness({ seed: false });
      await h.store.saveAssessment(
        assessmentInput(ago(10), { health_state: last, summary: `It is ${last}.` }),
      );
      await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
        observation: observation({ health_state: now }),
      });
      const status = await h.json<Json>('/status');
      const summary = await h.json<Json>('/status/summary');
      expect(summary.health_state).toBe(status.health_state);
      const text = summary.summary as string;
      if (now === 'unknown') expect(text).toMatch(/^Health unknown: /);
      else if (now === last) expect(text).toBe(`It is ${last}.`);
      else expect(text.startsWith(`Now ${now}; last assessment (`)).toBe(true);
    },
  );
});

describe('GET /status/services', () => {
  it('gives the per-service view of the latest observation', async () => {
    const h = await harness();
    const { services } = await h.json<{ services: Json[] }>('/status/services');
    expect(services.map((s) => s.name)).toEqual([
      'history',
      'matching',
      'frontend',
      'persistence',
      'workers',
    ]);
    const by = Object.fromEntries(services.map((s) => [s.name as string, s]));
    // Starter thresholds: history backlog 150 s > 120 s stress, persistence p99 640 ms > 500 ms.
    expect(by.history).toMatchObject({ status: 'stressed', forward_progress: 'degraded' });
    expect(by.persistence).toMatchObject({
      status: 'stressed',
      dominant_signal: 'primary_signals.persistence.latency_p99_ms',
    });
    expect(by.frontend).toMatchObject({ status: 'happy', forward_progress: 'ok' });
    expect(by.history!.key_signals).toMatchObject({ 'history.backlog_age_sec': 150 });
    for (const s of services) {
      expect(Object.keys(s).sort()).toEqual(
        ['dominant_signal', 'forward_progress', 'key_signals', 'name', 'pressure', 'status'].sort(),
      );
    }
  });

  it('is unknown everywhere when the observation is stale or missing', async () => {
    const h = await harness();
    h.setNow(new Date(NOW.getTime() + 600_000));
    const stale = await h.json<{ services: Json[] }>('/status/services');
    for (const s of stale.services) {
      expect(s).toMatchObject({
        status: 'unknown',
        forward_progress: 'unknown',
        pressure: 'unknown',
      });
    }
    const empty = await harness({ seed: false });
    const none = await empty.json<{ services: Json[] }>('/status/services');
    expect(none.services.map((s) => s.status)).toEqual(Array(5).fill('unknown'));
  });
});

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
    let up = false;
    const app = createApiApp({
      store: () => (up ? Promise.resolve(store) : Promise.reject(new Error('down'))),
      api: { cors_origins: [], host: '127.0.0.1' },
      now: () => NOW,
    });
    expect((await app.request('/status')).status).toBe(503);
    up = true;
    expect((await app.request('/status')).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('exposes the current state in the Prometheus text format', async () => {
    const h = await harness();
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE copilot_health_state gauge',
        'copilot_health_state{state="happy"} 0',
        'copilot_health_state{state="stressed"} 1',
        'copilot_health_state{state="critical"} 0',
        'copilot_health_state{state="unknown"} 0',
        '# TYPE copilot_log_pattern_count gauge',
        'copilot_log_pattern_count{pattern="reservoir discard",service="history"} 128',
        'copilot_log_pattern_count{pattern="deadline exceeded",service="frontend"} 7',
        'copilot_observation_duration_seconds 0.184',
        'copilot_observation_age_seconds 2',
        'copilot_signal_absent{field="amplifiers.runtime.goroutines"} 1',
        'copilot_signal_absent{field="amplifiers.host.gc_pause_ms"} 1',
        'copilot_consecutive_critical 0',
        'copilot_store_up 1',
      ]),
    );
    expect(text.endsWith('\n')).toBe(true);
    for (const name of [
      'copilot_health_state',
      'copilot_log_pattern_count',
      'copilot_observation_duration_seconds',
      'copilot_observation_age_seconds',
      'copilot_signal_absent',
      'copilot_consecutive_critical',
    ]) {
      expect(lines).toContain(`# TYPE ${name} gauge`);
      expect(lines.some((l) => l.startsWith(`# HELP ${name} `))).toBe(true);
    }
  });

  it('escapes untrusted label values and sums duplicate series', async () => {
    const h = await harness({ seed: false });
    const nasty = 'say "hi"\\ then\nnew line\r\x00';
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
      observation: observation({
        log_patterns: [
          { pattern: nasty, service: 'his"tory\\', count: 2, sample_message: 'x' },
          { pattern: nasty, service: 'his"tory\\', count: 3, sample_message: 'y' },
          { pattern: 'plain', service: 'matching', count: 1, sample_message: 'z' },
        ],
      }),
    });
    const text = await (await h.get('/metrics')).text();
    const lines = text.split('\n').filter((l) => l.startsWith('copilot_log_pattern_count'));
    expect(lines).toEqual([
      'copilot_log_pattern_count{pattern="say \\"hi\\"\\\\ then\\nnew line  ",service="his\\"tory\\\\"} 5',
      'copilot_log_pattern_count{pattern="plain",service="matching"} 1',
    ]);
    // Every line is one sample or a comment: nothing a label injected broke a line.
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[0-9.e+]+|\w+(\{.*\})? NaN)$/);
    }
    const parsed = parseLabels(lines[0]!);
    expect(parsed).toEqual({ pattern: 'say "hi"\\ then\nnew line  ', service: 'his"tory\\' });
  });

  it('still answers when the store is down, with the state unknown', async () => {
    const h = await harness();
    h.storeDown();
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('copilot_store_up 0');
    expect(text).toContain('copilot_health_state{state="unknown"} 1');
    expect(text).not.toMatch(/^copilot_observation_age_seconds /m);
  });

  it('reports unknown and no observation series when there is no data', async () => {
    const h = await harness({ seed: false });
    const text = await (await h.get('/metrics')).text();
    expect(text).toContain('copilot_health_state{state="unknown"} 1');
    expect(text).toContain('copilot_store_up 1');
    expect(text).not.toMatch(/^copilot_log_pattern_count\{/m);
    expect(text).not.toMatch(/^copilot_consecutive_critical /m);
  });
});

/** Reads the labels of one exposition line back, undoing the format's escapes. */
function parseLabels(line: string): Record<string, string> {
  const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  const out: Record<string, string> = {};
  const re = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (const m of body.matchAll(re)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

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

  it('allows any origin on loopback when no origins are configured', async () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.1.2.3']) {
      const h = await harness({ api: { host } });
      const res = await h.get('/status', { headers: { Origin: origin } });
      expect(res.headers.get('access-control-allow-origin'), host).toBe('*');
    }
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
    const h = await harness();
    h.storeDown();
    const res = await h.get('/status', { headers: { Origin: origin } });
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
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
    let up = false;
    const app = createApiApp({
      store: () => (up ? Promise.resolve(store) : Promise.reject(new Error('down'))),
      api: { cors_origins: [], host: '127.0.0.1' },
      now: () => NOW,
      cacheMs: 60_000,
    });
    expect((await app.request('/status')).status).toBe(503);
    up = true;
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
