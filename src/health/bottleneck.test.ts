import { describe, expect, it } from 'vitest';

import { classifyBottleneck, workerScalingWarnings } from './bottleneck.js';
import { serviceHealth } from './service-health.js';
import { makeSignals } from '../../test/helpers/make-signals.js';
import { THRESHOLD_PROFILES } from './thresholds.js';
import { overallTrend, trends } from './trends.js';
import type { SignalValue } from './types.js';

const healthyWorkers: Record<string, SignalValue> = {
  workflow_slots_available: 50,
  workflow_slots_used: 10,
  activity_slots_available: 80,
  activity_slots_used: 20,
  wft_schedule_to_start_p95_ms: 5,
  workflow_pollers: 4,
  activity_pollers: 4,
};
const ok = { health_state: 'happy' as const, scale_band: 'starter' as const };
const stress = THRESHOLD_PROFILES.starter.stressed;

describe('classifyBottleneck', () => {
  it.each([
    ['healthy', {}, {}],
    ['server_limited', { historyBacklog: stress.history_backlog_age_stress_sec + 1 }, {}],
    ['server_limited', { persistenceP99: stress.persistence_latency_p99_max_ms + 1 }, {}],
    ['worker_limited', {}, { workflow_slots_available: 0 }],
    ['worker_limited', {}, { wft_schedule_to_start_p95_ms: 201 }],
    ['healthy', {}, { wft_schedule_to_start_p95_ms: 199 }],
    ['mixed', { historyBacklog: 1000 }, { activity_slots_available: 0 }],
  ] as const)('%s', (expected, server, worker) => {
    const s = makeSignals(server, { worker: { ...healthyWorkers, ...worker } });
    expect(classifyBottleneck(s, ok).classification).toBe(expected);
  });

  it('is unknown without worker metrics, never "worker-limited" from absent slots', () => {
    const r = classifyBottleneck(
      makeSignals(
        {},
        { worker: { workflow_slots_available: null, activity_slots_available: null } },
      ),
      ok,
    );
    expect(r.classification).toBe('unknown');
    expect(r.reasons.join(' ')).toMatch(/worker metrics absent/);
  });

  it.each(['critical', 'unknown'] as const)('is not classified while the server is %s', (state) => {
    const r = classifyBottleneck(makeSignals({}, { worker: healthyWorkers }), {
      health_state: state,
      scale_band: 'starter',
    });
    expect(r.classification).toBe('unknown');
  });

  it('a stopped worker fleet (no SDK metrics, nothing dispatched) is worker-limited, even critical', () => {
    const noSdk = { workflow_slots_available: null, activity_slots_available: null };
    const stalled = makeSignals({ tasksAdded: 4, dispatchRatio: 0 }, { worker: noSdk });
    for (const state of ['stressed', 'critical'] as const) {
      const r = classifyBottleneck(stalled, { health_state: state, scale_band: 'starter' });
      expect(r.classification, state).toBe('worker_limited');
      expect(r.reasons.join(' ')).toMatch(/of the tasks reaching matching are taken/);
    }
    // A server critical for a reason of its own is still not classified.
    const both = makeSignals(
      { tasksAdded: 4, dispatchRatio: 0, historyBacklog: 1000 },
      { worker: noSdk },
    );
    expect(
      classifyBottleneck(both, { health_state: 'critical', scale_band: 'starter' }).classification,
    ).toBe('unknown');
  });

  it('compares persistence p99 (not p95) with the p99 threshold', () => {
    const s = makeSignals(
      { persistenceP99: stress.persistence_latency_p99_max_ms - 1 },
      { worker: healthyWorkers },
    );
    expect(classifyBottleneck(s, ok).server_stressed).toBe(false);
  });
});

describe('workerScalingWarnings', () => {
  it('never scale down at zero free slots, and blocks a proposed scale-down', () => {
    const s = makeSignals({}, { worker: { ...healthyWorkers, activity_slots_available: 0 } });
    const w = workerScalingWarnings(s, { proposed_action: 'scale_down' });
    expect(w.filter((x) => x.rule === 'NEVER_SCALE_DOWN_AT_ZERO')).toHaveLength(2);
    expect(w.some((x) => x.message.startsWith('BLOCKED'))).toBe(true);
  });

  it('warns about pollers outnumbering slots, sticky queues and redistribution', () => {
    const s = makeSignals(
      {},
      {
        worker: {
          workflow_slots_available: 2,
          workflow_slots_used: 0,
          activity_slots_available: 2,
          activity_slots_used: 0,
          workflow_pollers: 10,
          activity_pollers: 10,
          sticky_cache_hit_rate: 0.3,
        },
      },
    );
    const rules = workerScalingWarnings(s, {
      proposed_action: 'scale_up',
      long_running_workflows: true,
      worker_count: 3,
    }).map((w) => w.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'POLLER_EXECUTOR_MISMATCH',
        'STICKY_QUEUE_WARNING',
        'RESTART_TO_REDISTRIBUTE',
      ]),
    );
  });

  it('has nothing to say about healthy workers', () => {
    expect(workerScalingWarnings(makeSignals({}, { worker: healthyWorkers }))).toEqual([]);
  });
});

describe('serviceHealth', () => {
  const view = (
    values: Parameters<typeof makeSignals>[0],
    worker: Record<string, SignalValue> = healthyWorkers,
    idle = false,
  ) =>
    Object.fromEntries(
      serviceHealth(makeSignals(values, { worker }), {
        health_state: 'stressed',
        scale_band: 'starter',
        is_idle: idle,
      }).map((s) => [s.name, s]),
    );

  it('is ok everywhere for a healthy cluster', () => {
    const v = view({});
    for (const name of ['history', 'matching', 'frontend', 'persistence', 'workers']) {
      expect(v[name]?.forward_progress, name).toBe('ok');
      expect(v[name]?.status, name).toBe('happy');
    }
  });

  it('names the blocked service and its dominant signal', () => {
    const v = view({ persistenceErrors: 100 });
    expect(v.persistence).toMatchObject({
      forward_progress: 'blocked',
      status: 'critical',
      dominant_signal: 'primary_signals.persistence.error_rate_per_sec',
    });
    expect(v.history?.forward_progress).toBe('ok');
  });

  it('uses the band thresholds: a starter cluster at 300 ms persistence p99 is fine', () => {
    // The reference API flagged > 100 ms as stressed whatever the scale.
    expect(view({ persistenceP99: 300 }).persistence?.forward_progress).toBe('ok');
    expect(view({ persistenceP99: 300 }).persistence?.pressure).toBe('moderate');
  });

  it('sees waiting work in matching and exhausted workers', () => {
    const v = view(
      { matchingActivityBacklog: 200 },
      { ...healthyWorkers, activity_slots_available: 0 },
    );
    expect(v.matching).toMatchObject({
      forward_progress: 'degraded',
      dominant_signal: 'primary_signals.matching.activity_backlog_age_sec',
    });
    expect(v.workers?.forward_progress).toBe('blocked');
  });

  it('sees a dispatch stall in matching and in the workers, with or without SDK metrics', () => {
    const noSdk = { workflow_slots_available: null, activity_slots_available: null };
    const stalled = view({ tasksAdded: 4, dispatchRatio: 0.02 }, noSdk);
    expect(stalled.matching).toMatchObject({
      forward_progress: 'blocked',
      dominant_signal: 'primary_signals.matching.dispatch_ratio',
    });
    expect(stalled.workers).toMatchObject({ forward_progress: 'blocked', pressure: 'high' });
    const lagging = view({ tasksAdded: 4, dispatchRatio: 0.3 });
    expect(lagging.matching?.forward_progress).toBe('degraded');
    expect(lagging.workers?.forward_progress).toBe('degraded');
  });

  it('reports workers unknown without SDK metrics', () => {
    const v = view({}, { workflow_slots_available: null, activity_slots_available: null });
    expect(v.workers).toMatchObject({ forward_progress: 'unknown', status: 'unknown' });
  });

  it('is unknown for the server when the evaluation is unknown', () => {
    const list = serviceHealth(makeSignals(), {
      health_state: 'unknown',
      scale_band: 'starter',
      is_idle: false,
    });
    expect(
      list.filter((s) => s.name !== 'workers').every((s) => s.forward_progress === 'unknown'),
    ).toBe(true);
  });
});

describe('trends', () => {
  const series = (backlogs: number[]) => backlogs.map((b) => makeSignals({ historyBacklog: b }));

  it('sees a growing backlog as worsening and a shrinking one as improving', () => {
    const up = trends(series([1, 2, 2, 10, 20, 40])).find((t) =>
      t.signal.endsWith('backlog_age_sec'),
    );
    expect(up?.trend).toBe('worsening');
    const down = trends(series([40, 30, 20, 5, 2, 1])).find((t) =>
      t.signal.endsWith('backlog_age_sec'),
    );
    expect(down?.trend).toBe('improving');
    expect(overallTrend(trends(series([40, 30, 20, 5, 2, 1])))).toBe('improving');
  });

  it('treats noise as stable and too short a window as unknown', () => {
    expect(
      trends(series([1.0, 1.1, 0.9, 1.0, 1.05, 0.95])).find((t) =>
        t.signal.endsWith('backlog_age_sec'),
      )?.trend,
    ).toBe('stable');
    expect(overallTrend(trends(series([1, 2])))).toBe('unknown');
  });
});
