import { describe, expect, it } from 'vitest';

import { NOW, ago, useApiHarness, type Json, type Nested } from '../../test/helpers/api-harness.js';
import { assessmentInput, observation, stressedSignals } from '../../test/helpers/api-fixtures.js';

import type { HealthState } from '../health/types.js';
import { fieldOf, SIGNALS } from '../signals/registry.js';

const harness = useApiHarness();

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

  it.each([
    { then: true, now: false, says: 'Now happy, no longer idle (' },
    { then: false, now: true, says: 'Now happy (idle); last assessment (' },
  ])(
    'says so when the cluster is idle or busy since the last assessment (idle then: $then, now: $now)',
    async ({ then, now, says }) => {
      const h = await harness({ seed: false });
      await h.store.saveAssessment(
        assessmentInput(ago(10), {
          health_state: 'happy',
          summary: 'It is happy.',
          metrics_snapshot: { primary_signals: {}, is_idle: then },
        }),
      );
      await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
        observation: observation({ health_state: 'happy', is_idle: now }),
      });
      const text = (await h.json<Json>('/status/summary')).summary as string;
      expect(text.startsWith(says)).toBe(true);
      // Busy now: how busy, from the latest observation.
      if (!now)
        expect(text).toMatch(/^Now happy, no longer idle \(\d+\.\d state transitions\/s\); last/);
      expect(text.endsWith(', happy): It is happy.')).toBe(true);
    },
  );

  it('is the assessment as it is when idleness then and now agree, or was not recorded', async () => {
    for (const then of [true, undefined]) {
      const h = await harness({ seed: false });
      await h.store.saveAssessment(
        assessmentInput(ago(10), {
          health_state: 'happy',
          summary: 'It is happy.',
          metrics_snapshot: then === undefined ? { primary_signals: {} } : { is_idle: then },
        }),
      );
      await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
        observation: observation({ health_state: 'happy', is_idle: true }),
      });
      expect((await h.json<Json>('/status/summary')).summary).toBe('It is happy.');
    }
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

/** Every wire field of the registry under `group`, as [section, field] pairs. */
function registryKeys(group: 'primary_signals' | 'amplifiers'): [string, string][] {
  return SIGNALS.filter((d) => d.source !== 'logs')
    .map((d) => fieldOf(d).split('.'))
    .filter(([g]) => g === group)
    .map(([, s, f]) => [s!, f!]);
}
