import { describe, expect, it } from 'vitest';

import { DECIDING_FIELDS, classifyScaleBand, evaluate } from './evaluate.js';
import { instancesDown, servicesDown } from './parts.js';
import { makeSignals, type FieldKey } from '../../test/helpers/make-signals.js';
import {
  DEFAULT_RULES,
  THRESHOLD_PROFILES,
  resolveThresholds,
  type ResolvedThresholds,
} from './thresholds.js';
import type { Evaluation, HealthState, PreviousEvaluation, ScaleBand } from './types.js';

const BANDS: ScaleBand[] = ['starter', 'mid-scale', 'high-throughput'];
/** A throughput inside each band, far from its edges, so the band is stable. */
const BAND_LOAD: Record<ScaleBand, number> = {
  starter: 20,
  'mid-scale': 200,
  'high-throughput': 2000,
};
const prev = (state: HealthState, band: ScaleBand, count = 0): PreviousEvaluation => ({
  health_state: state,
  consecutive_critical: count,
  scale_band: band,
});

function gateOf(values: Partial<Record<FieldKey, number | null>>, band: ScaleBand, id: string) {
  const e = evaluate(
    makeSignals({ throughput: BAND_LOAD[band], processing: 5000, success: 100, ...values }),
    prev('stressed', band),
  );
  const g = e.gates.find((x) => x.id === id);
  if (g === undefined) throw new Error(`no gate ${id}`);
  return { gate: g, evaluation: e };
}

describe('critical gates fire just past their threshold, in every band', () => {
  const cases = BANDS.flatMap((band) => {
    const c = THRESHOLD_PROFILES[band].critical;
    return [
      // Work waiting in matching holds the band, so a low throughput is judged by this band.
      {
        band,
        id: 'critical.throughput',
        at: { throughput: c.state_transitions_min_per_sec, matchingWorkflowBacklog: 1000 },
        past: { throughput: c.state_transitions_min_per_sec * 0.99, matchingWorkflowBacklog: 1000 },
      },
      {
        band,
        id: 'critical.history_processing',
        at: { processing: c.history_processing_rate_min_per_sec },
        past: { processing: c.history_processing_rate_min_per_sec * 0.99 },
      },
      {
        band,
        id: 'critical.history_backlog',
        at: { historyBacklog: c.history_backlog_age_max_sec },
        past: { historyBacklog: c.history_backlog_age_max_sec + 0.1 },
      },
      {
        band,
        id: 'critical.persistence_errors',
        at: { persistenceErrors: c.persistence_error_rate_max_per_sec },
        past: { persistenceErrors: c.persistence_error_rate_max_per_sec + 0.1 },
      },
      {
        band,
        id: 'critical.completion_rate',
        at: { completionRate: c.workflow_completion_rate_min, success: 100, failed: 100 },
        past: { completionRate: c.workflow_completion_rate_min - 0.01, success: 100, failed: 100 },
      },
      {
        band,
        id: 'critical.matching_dispatch',
        at: { dispatchRatio: c.matching_dispatch_ratio_min },
        past: { dispatchRatio: c.matching_dispatch_ratio_min - 0.01 },
      },
    ];
  });
  it.each(cases)('$band $id', ({ band, id, at, past }) => {
    expect(gateOf(at, band, id).gate.fired).toBe(false);
    const fired = gateOf(past, band, id);
    expect(fired.gate.fired).toBe(true);
    expect(fired.evaluation.fired_gates).toContain(id);
    expect(fired.evaluation.health_state).toBe('stressed'); // first critical evaluation
    expect(fired.evaluation.consecutive_critical).toBe(1);
  });

  it('the completion gate needs demand: few completions never fire it', () => {
    const c = THRESHOLD_PROFILES['mid-scale'].critical;
    const { gate } = gateOf(
      { completionRate: 0, success: 0, failed: c.completion_rate_demand_floor_per_sec * 0.9 },
      'mid-scale',
      'critical.completion_rate',
    );
    expect(gate.fired).toBe(false);
    expect(gate.note).toMatch(/not enough completions/);
  });
});

describe('stressed gates fire just past their threshold, in every band', () => {
  const cases = BANDS.flatMap((band) => {
    const s = THRESHOLD_PROFILES[band].stressed;
    return [
      {
        band,
        id: 'stressed.transition_latency',
        at: { transitionLatencyP99: s.state_transition_latency_p99_max_ms },
        past: { transitionLatencyP99: s.state_transition_latency_p99_max_ms + 1 },
      },
      {
        band,
        id: 'stressed.history_backlog',
        at: { historyBacklog: s.history_backlog_age_stress_sec },
        past: { historyBacklog: s.history_backlog_age_stress_sec + 0.1 },
      },
      {
        band,
        id: 'stressed.server_restarts',
        at: { restarts: s.server_restarts_max },
        past: { restarts: s.server_restarts_max + 1 },
      },
      {
        band,
        id: 'stressed.matching_dispatch',
        at: { dispatchRatio: s.matching_dispatch_ratio_min },
        past: { dispatchRatio: s.matching_dispatch_ratio_min - 0.01 },
      },
      {
        band,
        id: 'stressed.frontend_latency',
        at: { frontendP99: s.frontend_latency_p99_max_ms },
        past: { frontendP99: s.frontend_latency_p99_max_ms + 1 },
      },
      {
        band,
        id: 'stressed.persistence_latency',
        at: { persistenceP99: s.persistence_latency_p99_max_ms },
        past: { persistenceP99: s.persistence_latency_p99_max_ms + 1 },
      },
      {
        band,
        id: 'stressed.shard_churn',
        at: { shardChurn: s.shard_churn_rate_max_per_sec },
        past: { shardChurn: s.shard_churn_rate_max_per_sec + 0.1 },
      },
      {
        band,
        id: 'stressed.poller_timeouts',
        at: { pollTimeoutRate: s.poller_timeout_rate_max },
        past: { pollTimeoutRate: s.poller_timeout_rate_max + 0.01 },
      },
    ];
  });
  it.each(cases)('$band $id', ({ band, id, at, past }) => {
    const notFired = gateOf(at, band, id);
    expect(notFired.gate.fired).toBe(false);
    expect(notFired.evaluation.health_state).toBe('happy');
    const fired = gateOf(past, band, id);
    expect(fired.gate.fired).toBe(true);
    expect(fired.evaluation.health_state).toBe('stressed');
    expect(fired.evaluation.fired_gates).toEqual([id]);
  });

  it.each(['stressed.frontend_latency', 'stressed.poller_timeouts'])(
    '%s is demand-gated: below the demand floor it does not fire',
    (id) => {
      const e = evaluate(
        makeSignals({
          throughput: DEFAULT_RULES.demand_floor_per_sec - 0.1,
          processing: 10,
          frontendP99: 99_999,
          pollTimeoutRate: 1,
          success: 0,
        }),
        prev('happy', 'starter'),
      );
      const g = e.gates.find((x) => x.id === id)!;
      expect(g.fired).toBe(false);
      expect(g.note).toMatch(/low demand/);
    },
  );

  it('an absent stressed signal leaves its gate unevaluated and says so', () => {
    const e = evaluate(makeSignals({ persistenceP99: null }), prev('happy', 'starter'));
    const g = e.gates.find((x) => x.id === 'stressed.persistence_latency')!;
    expect(g.fired).toBeNull();
    expect(g.note).toBe('not evaluated: signal absent');
    expect(e.health_state).toBe('happy');
  });
});

describe('healthy gates', () => {
  it.each(BANDS)(
    '%s: throughput below the healthy level is "between thresholds", not happy',
    (band) => {
      const h = THRESHOLD_PROFILES[band].healthy;
      const c = THRESHOLD_PROFILES[band].critical;
      // Between critical floor and healthy level, and not idle (processing above the idle limit).
      const st = (c.state_transitions_min_per_sec + h.state_transitions_healthy_per_sec) / 2;
      const e = evaluate(
        makeSignals({
          throughput: st,
          processing: 5000,
          historyBacklog: 0,
          matchingWorkflowBacklog: 1000,
        }),
        prev('happy', band),
      );
      expect(e.is_idle).toBe(false);
      expect(e.scale_band).toBe(band);
      expect(e.health_state).toBe('stressed');
      expect(e.reasons.join(' ')).toMatch(/between thresholds/);
    },
  );

  it('skips the completion gate when too few workflows finish', () => {
    // 0.4 completions/s: under both the critical floor (0.5) and the healthy gate's floor (1).
    const e = evaluate(
      makeSignals({ success: 0.1, failed: 0.3, completionRate: 0.25 }),
      prev('happy', 'starter'),
    );
    expect(e.gates.find((g) => g.id === 'healthy.completion_rate')?.note).toMatch(/skipped/);
    expect(e.health_state).toBe('happy');
  });
});

describe('predicates', () => {
  it('idle: no demand, no errors, no work waiting → happy, even from critical', () => {
    const idle = makeSignals({
      throughput: 1,
      processing: 1,
      success: 0,
      failed: 0,
      completionRate: null,
      frontendP99: null,
    });
    const e = evaluate(idle, prev('critical', 'starter', 5));
    expect(e.is_idle).toBe(true);
    expect(e.health_state).toBe('happy');
    expect(e.consecutive_critical).toBe(0);
    expect(e.fired_gates).toEqual([]);
  });

  it('not idle when work is waiting in matching (a stopped worker fleet is not idle)', () => {
    const e = evaluate(
      makeSignals({
        throughput: 0,
        processing: 0,
        success: 0,
        failed: 0,
        matchingWorkflowBacklog: 120,
      }),
      prev('happy', 'starter'),
    );
    expect(e.is_idle).toBe(false);
    expect(e.health_state).not.toBe('happy');
  });

  it('work that reaches matching and is not taken is stressed, then critical', () => {
    // Measured in the worker-outage scenario: every worker stopped under 2 workflows/s. The
    // starts keep throughput at 2 st/s (above the healthy level), nothing completes, and the
    // server's backlog gauges still read an age of 0.
    const stopped = makeSignals({
      throughput: 2,
      processing: 9,
      success: 0,
      failed: 0,
      completionRate: null,
      historyBacklog: 0.02,
      matchingWorkflowBacklog: 0,
      matchingActivityBacklog: 0,
      tasksAdded: 4,
      dispatchRatio: 0,
    });
    let last = prev('happy', 'starter');
    const states: HealthState[] = [];
    for (let i = 0; i < DEFAULT_RULES.consecutive_critical + 1; i++) {
      const e = evaluate(stopped, last);
      expect(e.is_idle).toBe(false);
      expect(e.fired_gates).toEqual(['critical.matching_dispatch', 'stressed.matching_dispatch']);
      states.push(e.health_state);
      last = e;
    }
    expect(states).toEqual(['stressed', 'stressed', 'critical', 'critical']);

    // Workers back: they drain faster than work arrives, and the state is happy at once.
    const back = evaluate(makeSignals({ tasksAdded: 4, dispatchRatio: 1 }), last);
    expect(back.health_state).toBe('happy');
  });

  it('a few tasks a minute do not judge dispatch, and an idle cluster with no arrivals is idle', () => {
    const few = evaluate(
      makeSignals({
        tasksAdded: DEFAULT_RULES.dispatch_demand_floor_per_sec * 0.9,
        dispatchRatio: 0,
      }),
      prev('happy', 'starter'),
    );
    expect(few.gates.find((g) => g.id === 'critical.matching_dispatch')?.note).toMatch(
      /few tasks arrive/,
    );
    expect(few.fired_gates).toEqual([]);

    // Starts with nobody serving them, below the idle throughput: not idle.
    const trickle = evaluate(
      makeSignals({
        throughput: 0.6,
        processing: 1,
        success: 0,
        failed: 0,
        completionRate: null,
        tasksAdded: 1,
        dispatchRatio: 0,
      }),
      prev('happy', 'starter'),
    );
    expect(trickle.is_idle).toBe(false);
    expect(trickle.fired_gates).toContain('critical.matching_dispatch');
  });

  it('the band holds while matching hands out no work', () => {
    const e = evaluate(
      makeSignals({ throughput: 4, tasksAdded: 20, dispatchRatio: 0.02 }),
      prev('stressed', 'mid-scale'),
    );
    expect(e.scale_band).toBe('mid-scale');
  });

  it('system busy: retention work without demand suppresses the throughput gates', () => {
    const e = evaluate(
      makeSignals({ throughput: 0.1, processing: 0.1, deletion: 10, success: 0 }),
      prev('happy', 'starter'),
    );
    expect(e.is_system_busy).toBe(true);
    expect(e.gates.find((g) => g.id === 'critical.throughput')?.note).toMatch(/suppressed/);
    expect(e.fired_gates).not.toContain('critical.throughput');
  });

  it('system busy still goes critical on persistence errors', () => {
    const s = makeSignals({
      throughput: 0.1,
      processing: 0.1,
      deletion: 10,
      success: 0,
      persistenceErrors: 100,
    });
    let p = prev('stressed', 'starter');
    for (let i = 0; i < 3; i += 1) {
      const e = evaluate(s, p);
      p = e;
    }
    expect(p.health_state).toBe('critical');
  });

  it('recovery hysteresis: leaving critical near the thresholds is stressed', () => {
    const c = THRESHOLD_PROFILES.starter.critical;
    const near = makeSignals({ historyBacklog: c.history_backlog_age_max_sec * 0.8 });
    expect(evaluate(near, prev('critical', 'starter', 4)).health_state).toBe('stressed');
    expect(evaluate(makeSignals(), prev('critical', 'starter', 4)).health_state).toBe('happy');
  });
});

describe('debounce and the forward-progress invariant', () => {
  const bad = makeSignals({ historyBacklog: 10_000 });

  it('needs three critical evaluations in a row, via stressed', () => {
    const states: HealthState[] = [];
    let p: PreviousEvaluation = prev('happy', 'starter');
    for (let i = 0; i < 4; i += 1) {
      const e = evaluate(bad, p);
      states.push(e.health_state);
      p = e;
    }
    expect(states).toEqual(['stressed', 'stressed', 'critical', 'critical']);
  });

  it('a good evaluation in between resets the count', () => {
    let p: PreviousEvaluation = prev('stressed', 'starter');
    p = evaluate(bad, p);
    p = evaluate(bad, p);
    p = evaluate(makeSignals(), p);
    expect(p.consecutive_critical).toBe(0);
    p = evaluate(bad, p);
    expect(p.health_state).toBe('stressed');
  });

  it('never moves from happy straight to critical, even with a high carried count', () => {
    expect(evaluate(bad, prev('happy', 'starter', 10)).health_state).toBe('stressed');
  });

  it('a band change does not reset the critical count', () => {
    const p = evaluate(
      makeSignals({ historyBacklog: 10_000, throughput: 20 }),
      prev('stressed', 'starter', 1),
    );
    expect(p.consecutive_critical).toBe(2);
    const q = evaluate(makeSignals({ historyBacklog: 10_000, throughput: 60 }), p);
    expect(q.scale_band).toBe('mid-scale');
    expect(q.consecutive_critical).toBe(3);
    expect(q.health_state).toBe('critical');
  });

  it('the first evaluation starts from happy with a zero count', () => {
    expect(evaluate(bad, undefined)).toMatchObject({
      health_state: 'stressed',
      consecutive_critical: 1,
    });
  });
});

describe('no data is not good news: unknown', () => {
  const q = { prometheus_ok: true, target_up: true, scrape_age_s: 3, unavailable: [] as string[] };

  it.each(DECIDING_FIELDS)('absent deciding signal %s → unknown', (field) => {
    const key = (
      Object.entries({
        'primary_signals.state_transitions.throughput_per_sec': 'throughput',
        'primary_signals.workflow_completion.success_per_sec': 'success',
        'primary_signals.workflow_completion.failed_per_sec': 'failed',
        'primary_signals.history.backlog_age_sec': 'historyBacklog',
        'primary_signals.history.task_processing_rate_per_sec': 'processing',
        'primary_signals.persistence.error_rate_per_sec': 'persistenceErrors',
      }) as [string, FieldKey][]
    ).find(([f]) => f === field)![1];
    const e = evaluate(makeSignals({ [key]: null }), prev('happy', 'starter'));
    expect(e.health_state).toBe('unknown');
    expect(e.reasons.join(' ')).toContain(field);
  });

  it.each([
    [{ ...q, prometheus_ok: false }, /Prometheus did not answer/],
    [{ ...q, target_up: false }, /not being scraped/],
    [{ ...q, target_up: null }, /no scrape target/],
    [{ ...q, scrape_age_s: DEFAULT_RULES.max_scrape_age_s + 1 }, /stale/],
    [{ ...q, unavailable: ['primary_signals.history.backlog_age_sec'] }, /backlog_age_sec/],
  ])('quality %o → unknown', (quality, reason) => {
    // All-zero signals are what an outage looked like to the reference (and it said happy).
    const zeros = makeSignals(
      { throughput: 0, processing: 0, success: 0, historyBacklog: 0 },
      { quality },
    );
    const e = evaluate(zeros, prev('happy', 'starter'));
    expect(e.health_state).toBe('unknown');
    expect(e.is_idle).toBe(false);
    expect(e.reasons.join(' ')).toMatch(reason);
  });

  it('unknown resets the critical count; the next critical run starts again via stressed', () => {
    const bad = makeSignals({ historyBacklog: 10_000 });
    const u = evaluate(makeSignals({ throughput: null }), prev('critical', 'starter', 7));
    expect(u).toMatchObject({ health_state: 'unknown', consecutive_critical: 0 });
    expect(evaluate(bad, u).health_state).toBe('stressed');
  });
});

describe('scale bands', () => {
  it.each([
    [null, 49.9, 'starter'],
    [null, 50, 'mid-scale'],
    [null, 500, 'high-throughput'],
    ['starter', 54.9, 'starter'],
    ['starter', 55, 'mid-scale'],
    ['starter', 550, 'high-throughput'],
    ['mid-scale', 45, 'mid-scale'],
    ['mid-scale', 44.9, 'starter'],
    ['mid-scale', 549.9, 'mid-scale'],
    ['mid-scale', 550, 'high-throughput'],
    ['high-throughput', 450, 'high-throughput'],
    ['high-throughput', 449.9, 'mid-scale'],
    ['high-throughput', 10, 'starter'],
  ] as const)('from %s at %d st/s → %s', (from, st, to) => {
    expect(classifyScaleBand(st, from, DEFAULT_RULES).band).toBe(to);
  });

  it('does not drop to a lower band while work is waiting', () => {
    expect(classifyScaleBand(2, 'high-throughput', DEFAULT_RULES, true)).toEqual({
      band: 'high-throughput',
      held: true,
    });
  });

  it('a throughput collapse with work waiting is judged by the band it had, and goes critical', () => {
    // The reference re-banded to starter (critical floor 0.5 st/s) and found 2 st/s acceptable.
    const collapse = makeSignals({
      throughput: 2,
      processing: 2,
      historyBacklog: 40,
      success: 0.5,
    });
    let p: PreviousEvaluation = prev('happy', 'high-throughput');
    const seen: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const e = evaluate(collapse, p);
      seen.push(`${e.scale_band}/${e.health_state}`);
      p = e;
    }
    expect(seen).toEqual([
      'high-throughput/stressed',
      'high-throughput/stressed',
      'high-throughput/critical',
      'high-throughput/critical',
    ]);
  });
});

describe('threshold overrides', () => {
  it('apply to every band', () => {
    const t = resolveThresholds({
      stressed: { persistence_latency_p99_max_ms: 750 },
    }) as ResolvedThresholds;
    for (const band of BANDS)
      expect(t.profiles[band].stressed.persistence_latency_p99_max_ms).toBe(750);
    const e = evaluate(makeSignals({ persistenceP99: 700 }), prev('happy', 'high-throughput'), t);
    expect(e.fired_gates).not.toContain('stressed.persistence_latency');
  });

  it('reject orderings that break the state machine, naming each', () => {
    const problems = resolveThresholds({
      critical: { state_transitions_min_per_sec: 20 },
      stressed: { history_backlog_age_stress_sec: 1000 },
    });
    expect(Array.isArray(problems)).toBe(true);
    const text = (problems as string[]).join('\n');
    expect(text).toMatch(/state_transitions_min_per_sec \(20\) must be below/);
    expect(text).toMatch(/history_backlog_age_stress_sec \(1000\) must be below/);
  });

  it('rules override the debounce length', () => {
    const t = resolveThresholds({ rules: { consecutive_critical: 1 } }) as ResolvedThresholds;
    expect(
      evaluate(makeSignals({ historyBacklog: 10_000 }), prev('stressed', 'starter'), t)
        .health_state,
    ).toBe('critical');
  });
});

describe('a cluster of several services, from its scrape targets', () => {
  const target = (service: string, instance: string, up: boolean) => ({ service, instance, up });
  const CLUSTER = [
    target('frontend', 'frontend-0', true),
    target('history', 'history-0', true),
    target('history', 'history-1', true),
    target('matching', 'matching-0', true),
    target('matching', 'matching-1', true),
    target('worker', 'worker-0', true),
  ];
  // What a collection reports: the quality's targets and the two counts read from them.
  const observed = (targets: typeof CLUSTER, values: Partial<Record<FieldKey, number | null>>) => {
    const base = makeSignals(values, {
      quality: {
        prometheus_ok: true,
        target_up: targets.every((t) => t.up),
        scrape_age_s: 2,
        unavailable: [],
        targets,
      },
    });
    return {
      ...base,
      primary_signals: {
        ...base.primary_signals,
        cluster: {
          services_down: servicesDown(targets).length,
          instances_down: instancesDown(targets).length,
        },
      },
    };
  };

  it('a service with no instance up is critical and named, even with every rate at 0', () => {
    // Matching frozen under load: nothing is dispatched, so throughput and processing fall to 0
    // and no error is counted: the idle rule alone would call it rest.
    const down = CLUSTER.map((t) => (t.service === 'matching' ? { ...t, up: false } : t));
    const signals = observed(down, {
      throughput: 0,
      processing: 0,
      success: 0,
      failed: 0,
      completionRate: null,
      tasksAdded: 0,
      dispatchRatio: null,
    });
    let last: Evaluation | undefined;
    const states: HealthState[] = [];
    for (let i = 0; i < DEFAULT_RULES.consecutive_critical + 1; i++) {
      last = evaluate(signals, last ?? prev('happy', 'starter'));
      expect(last.is_idle).toBe(false);
      expect(last.fired_gates).toContain('critical.service_down');
      states.push(last.health_state);
    }
    expect(states.at(-1)).toBe('critical');
    expect(states).not.toContain('unknown');
    expect(last?.reasons.join(' ')).toMatch(/matching: none of 2 instance\(s\) up/);
  });

  it('one instance of two gone is stressed and named, never critical for that alone', () => {
    const down = CLUSTER.map((t) => (t.instance === 'history-1' ? { ...t, up: false } : t));
    const e = evaluate(observed(down, {}), prev('happy', 'starter'));
    expect(e.health_state).toBe('stressed');
    expect(e.fired_gates).toEqual(['stressed.instance_down']);
    expect(e.reasons.join(' ')).toMatch(/not scraped: history-1/);
  });

  it('no target up is unknown: nothing is seen, so nothing is judged', () => {
    const none = CLUSTER.map((t) => ({ ...t, up: false }));
    const e = evaluate(observed(none, {}), prev('happy', 'starter'));
    expect(e.health_state).toBe('unknown');
    expect(e.reasons.join(' ')).toMatch(/not being scraped/);
  });

  it('every target up: the counts are 0 and the gates stay quiet', () => {
    const e = evaluate(observed(CLUSTER, {}), prev('happy', 'starter'));
    expect(e.health_state).toBe('happy');
    expect(e.gates.find((g) => g.id === 'critical.service_down')?.fired).toBe(false);
  });
});

describe('stuck is not idle', () => {
  it('requests stuck for seconds are not idle: a frozen database is judged by its gates', () => {
    // Measured in postgres-frozen: nothing completes, while the few requests that finish (result
    // long-polls, timeouts) take 20-40 s.
    const frozen = makeSignals({
      throughput: 0,
      processing: 0,
      success: 0,
      failed: 0,
      completionRate: null,
      tasksAdded: 0,
      dispatchRatio: null,
      transitionLatencyP99: 20_781,
      frontendP99: 38_358,
      persistenceP99: 19.7,
      historyBacklog: 0.04,
    });
    const e = evaluate(frozen, prev('happy', 'starter'));
    expect(e.is_idle).toBe(false);
    expect(e.fired_gates).toContain('critical.throughput');
    // The same quiet cluster answering quickly is idle.
    const rest = evaluate(
      makeSignals({
        throughput: 0,
        processing: 0,
        success: 0,
        failed: 0,
        completionRate: null,
        tasksAdded: 0,
        dispatchRatio: null,
        transitionLatencyP99: null,
        frontendP99: 40,
        historyBacklog: 0.04,
      }),
      prev('happy', 'starter'),
    );
    expect(rest.is_idle).toBe(true);
  });
});

describe('persistence errors under the critical rate', () => {
  it('errors that fail a share of the work are stress; a trickle under heavy load is not', () => {
    // Measured in postgres-connections-exhausted: 3 errors/s against 8 transitions/s, p99 under
    // its limit, and the state stayed happy for minutes before this gate.
    const starved = evaluate(
      makeSignals({ throughput: 8, persistenceErrors: 3, persistenceP99: 470 }),
      prev('happy', 'starter'),
    );
    expect(starved.health_state).toBe('stressed');
    expect(starved.fired_gates).toEqual(['stressed.persistence_errors']);
    const trickle = evaluate(
      makeSignals({ throughput: 200, persistenceErrors: 2 }),
      prev('happy', 'mid-scale'),
    );
    expect(trickle.fired_gates).not.toContain('stressed.persistence_errors');
  });
});
