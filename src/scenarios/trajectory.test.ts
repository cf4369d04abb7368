import { describe, expect, it } from 'vitest';

import {
  judgeExpectations,
  measuredTime,
  meets,
  phaseSatisfied,
  phaseWindows,
  trajectoryText,
} from './trajectory.js';
import type { Expectation, HealthState, Observation, Phase, PhaseMark } from './types.js';

/** One observation per second; `states` are the copilot's answers (null: no answer). */
function record(
  marks: readonly PhaseMark[],
  states: readonly (HealthState | null)[],
  extra: (i: number) => Partial<Observation> = () => ({}),
): Observation[] {
  return states.map((state, i) => {
    const t = i * 1_000;
    const phase: Phase = [...marks].reverse().find((m) => m.start_ms <= t)?.phase ?? 'warmup';
    return {
      t_ms: t,
      at: new Date(t).toISOString(),
      phase,
      health_state: state,
      stale: state === null ? null : false,
      observed_at: new Date(Math.floor(t / 2_000) * 2_000).toISOString(),
      scale_band: 'starter',
      consecutive_critical: 0,
      fired_gates: [],
      reasons: [],
      errors: [],
      services: {},
      summary: null,
      issues: [],
      bottleneck: null,
      signals: {},
      ...(state === null ? { error: 'fetch failed' } : {}),
      ...extra(i),
    };
  });
}

const MARKS: PhaseMark[] = [
  { phase: 'warmup', start_ms: 0 },
  { phase: 'baseline', start_ms: 5_000 },
  { phase: 'fault', start_ms: 10_000 },
  { phase: 'recovery', start_ms: 30_000 },
];

const repeat = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

/** A worker outage as the copilot should see it: happy, stressed at +6 s, critical at +14 s, back. */
const WORKER_OUTAGE: (HealthState | null)[] = [
  ...repeat<HealthState>('unknown', 3), // warm-up: not judged
  ...repeat<HealthState>('happy', 7), // 3–9: warm-up end and baseline
  ...repeat<HealthState>('happy', 6), // fault 10–15
  ...repeat<HealthState>('stressed', 8), // 16–23
  ...repeat<HealthState>('critical', 6), // 24–29
  ...repeat<HealthState>('critical', 3), // recovery 30–32
  ...repeat<HealthState>('stressed', 9), // 33–41
  ...repeat<HealthState>('happy', 5), // 42–46
];

const OUTAGE_EXPECTATIONS: Expectation[] = [
  {
    id: 'baseline-happy',
    description: 'baseline happy',
    mode: 'always',
    phases: ['baseline'],
    check: { type: 'state', states: ['happy'] },
  },
  {
    id: 'critical',
    description: 'critical after stressed',
    mode: 'eventually',
    phase: 'fault',
    check: { type: 'state', states: ['critical'] },
    after: { type: 'state', states: ['stressed'] },
    within_s: 20,
    measures: 'detection',
  },
  {
    id: 'recovers',
    description: 'happy again',
    mode: 'eventually',
    phase: 'recovery',
    check: { type: 'state', states: ['happy'] },
    within_s: 15,
    measures: 'recovery',
  },
];

describe('judgeExpectations', () => {
  it('passes a trajectory that meets every expectation, with detection and recovery times', () => {
    const obs = record(MARKS, WORKER_OUTAGE);
    const end = obs.length * 1_000;
    const results = judgeExpectations(OUTAGE_EXPECTATIONS, obs, MARKS, end);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect(results[1]!.at_s).toBe(14);
    expect(measuredTime('detection', OUTAGE_EXPECTATIONS, results)).toBe(14);
    expect(measuredTime('recovery', OUTAGE_EXPECTATIONS, results)).toBe(12);
    expect(trajectoryText(obs, MARKS, end)).toBe(
      'baseline: happy; fault: happy → stressed +6s → critical +14s; recovery: critical → stressed +3s → happy +12s',
    );
  });

  it('fails a false alarm in the baseline and says where', () => {
    const states = [...WORKER_OUTAGE];
    states[7] = 'stressed';
    const obs = record(MARKS, states, (i) => (i === 7 ? { reasons: ['between thresholds'] } : {}));
    const [baseline] = judgeExpectations(OUTAGE_EXPECTATIONS, obs, MARKS, obs.length * 1_000);
    expect(baseline!.status).toBe('fail');
    expect(baseline!.detail).toContain('1 of 5 observations missed state happy');
    expect(baseline!.detail).toContain('+2 s into baseline: stressed (between thresholds)');
  });

  it('fails a detection that comes after its deadline, and reports no detection time', () => {
    const late = OUTAGE_EXPECTATIONS.map((e) => (e.id === 'critical' ? { ...e, within_s: 10 } : e));
    const obs = record(MARKS, WORKER_OUTAGE);
    const results = judgeExpectations(late, obs, MARKS, obs.length * 1_000);
    expect(results[1]).toMatchObject({ status: 'fail', at_s: null });
    expect(results[1]!.detail).toContain('not met within 10 s; last: stressed');
    expect(measuredTime('detection', late, results)).toBeNull();
  });

  it('fails critical straight from happy when stressed must come first', () => {
    const states = WORKER_OUTAGE.map((s) => (s === 'stressed' ? 'happy' : s));
    const obs = record(MARKS, states);
    const results = judgeExpectations(OUTAGE_EXPECTATIONS, obs, MARKS, obs.length * 1_000);
    expect(results[1]!.status).toBe('fail');
    expect(results[1]!.detail).toBe('state critical at +14 s without state stressed first');
  });

  it('fails a recovery that never reaches happy, and one whose phase ended too soon', () => {
    const states = WORKER_OUTAGE.map((s, i) => (i >= 30 && s === 'happy' ? 'stressed' : s));
    const obs = record(MARKS, states);
    const results = judgeExpectations(OUTAGE_EXPECTATIONS, obs, MARKS, obs.length * 1_000);
    expect(results[2]!.status).toBe('fail');
    expect(results[2]!.detail).toBe('not met within 15 s; last: stressed');
    expect(measuredTime('recovery', OUTAGE_EXPECTATIONS, results)).toBeNull();

    const patient = OUTAGE_EXPECTATIONS.map((e) =>
      e.id === 'recovers' ? { ...e, within_s: 60 } : e,
    );
    const [, , cut] = judgeExpectations(patient, obs, MARKS, obs.length * 1_000);
    expect(cut!.detail).toBe(
      'not met before the recovery phase ended at +17 s (limit 60 s); last: stressed',
    );
  });

  it('a recovery with a hold must last: a flicker of happy is not one', () => {
    const held: Expectation[] = [{ ...OUTAGE_EXPECTATIONS[2]!, hold_s: 4 } as Expectation];
    const flicker: (HealthState | null)[] = [
      ...WORKER_OUTAGE.slice(0, 33),
      'happy', // +3: one good cycle…
      ...repeat<HealthState>('stressed', 4), // …then stressed again
      ...repeat<HealthState>('happy', 10), // +8: for good
    ];
    const obs = record(MARKS, flicker);
    const [result] = judgeExpectations(held, obs, MARKS, obs.length * 1_000);
    expect(result).toMatchObject({
      status: 'pass',
      at_s: 8,
      detail: 'state happy at +8 s, held 4 s (limit 15 s)',
    });
    const never = record(MARKS, flicker.slice(0, 40));
    expect(judgeExpectations(held, never, MARKS, 40_000)[0]!.detail).toBe(
      'state happy first at +3 s but never held 4 s within 15 s',
    );
  });

  it('reports a documented expectation as not checked, whatever was observed', () => {
    const documented: Expectation = {
      id: 'bottleneck',
      description: 'worker-limited',
      mode: 'eventually',
      phase: 'fault',
      check: { type: 'bottleneck', values: ['worker_limited'] },
      within_s: 20,
      measures: 'detection',
      not_checked: 'no worker metrics while the workers are gone',
    };
    const obs = record(MARKS, WORKER_OUTAGE);
    const [result] = judgeExpectations([documented], obs, MARKS, obs.length * 1_000);
    expect(result).toMatchObject({
      status: 'not_checked',
      detail: 'no worker metrics while the workers are gone',
    });
    // A documented expectation never provides a measured time.
    expect(measuredTime('detection', [documented], [result!])).toBeNull();
  });

  it('"never happy while out": unanswered polls and the grace period are not judged', () => {
    const metricsOutage: (HealthState | null)[] = [
      ...repeat<HealthState>('happy', 10),
      'happy', // +0: the previous observation is still fresh
      'happy', // +1
      null, // +2: the API did not answer in time
      ...repeat<HealthState>('unknown', 17),
      ...repeat<HealthState>('happy', 5),
    ];
    const never: Expectation = {
      id: 'never-happy',
      description: 'never happy while out',
      mode: 'always',
      phases: ['fault'],
      check: { type: 'state', states: ['unknown', 'stressed', 'critical'] },
      grace_s: 2,
    };
    const obs = record(MARKS, metricsOutage);
    expect(judgeExpectations([never], obs, MARKS, obs.length * 1_000)[0]).toMatchObject({
      status: 'pass',
      detail: 'all 17 observations met state unknown|stressed|critical',
    });
    const happyMidOutage = [...metricsOutage];
    happyMidOutage[20] = 'happy';
    const bad = record(MARKS, happyMidOutage);
    const [result] = judgeExpectations([never], bad, MARKS, bad.length * 1_000);
    expect(result!.status).toBe('fail');
    expect(result!.detail).toContain('first at +10 s into fault: happy');
  });

  it('"once unknown, never happy again": judged from the first unknown of the phase', () => {
    const since: Expectation = {
      id: 'never-happy',
      description: 'once unknown, never happy again',
      mode: 'always',
      phases: ['fault'],
      check: { type: 'state', states: ['unknown', 'stressed', 'critical'] },
      since: { type: 'state', states: ['unknown'] },
    };
    const outage: HealthState[] = [
      ...repeat<HealthState>('happy', 14), // fault starts at 10: four happy before it is noticed
      ...repeat<HealthState>('unknown', 16),
      ...repeat<HealthState>('happy', 5),
    ];
    const obs = record(MARKS, outage);
    expect(judgeExpectations([since], obs, MARKS, obs.length * 1_000)[0]).toMatchObject({
      status: 'pass',
      detail: 'all 16 observations since state unknown met state unknown|stressed|critical',
    });
    const flapping = [...outage];
    flapping[22] = 'happy';
    const bad = record(MARKS, flapping);
    expect(judgeExpectations([since], bad, MARKS, bad.length * 1_000)[0]!.detail).toContain(
      'first at +12 s into fault: happy',
    );
    const never = record(MARKS, repeat<HealthState>('happy', 35));
    expect(judgeExpectations([since], never, MARKS, 35_000)[0]).toMatchObject({
      status: 'fail',
      detail: 'state unknown never observed in fault, so the check never began',
    });
  });

  it('fails an always-expectation with nothing to judge', () => {
    const obs = record(MARKS, repeat(null, 12));
    const [result] = judgeExpectations(OUTAGE_EXPECTATIONS.slice(0, 1), obs, MARKS, 12_000);
    expect(result).toMatchObject({ status: 'fail' });
    expect(result!.detail).toContain('no answered observation');
  });

  it('fails an expectation of a phase the run never reached', () => {
    const marks = MARKS.slice(0, 2);
    const obs = record(marks, repeat<HealthState>('happy', 12));
    const results = judgeExpectations(OUTAGE_EXPECTATIONS, obs, marks, 12_000);
    expect(results[1]!.detail).toBe('the fault phase never began');
  });
});

describe('checks', () => {
  const [o] = record(MARKS, ['stressed'], () => ({
    bottleneck: 'worker_limited',
    services: { workers: 'critical', history: 'happy' },
    signals: { 'primary_signals.poller.no_poller_tasks_per_sec': 1.5, 'x.absent': null },
    reasons: ['critical gate critical.completion_rate fired: completion_rate 0.1 < 0.3'],
    fired_gates: ['critical.completion_rate'],
    summary: 'Cluster is stressed.',
    issues: [
      'Tasks arrive on queues nobody polls: 2 tasks/s are added to task queues with no poller',
    ],
  }));

  it('matches bottleneck, service, signal, reason and gate checks', () => {
    expect(meets({ type: 'bottleneck', values: ['worker_limited'] }, o!)).toBe(true);
    expect(meets({ type: 'bottleneck', values: ['server_limited'] }, o!)).toBe(false);
    expect(meets({ type: 'service', service: 'workers', statuses: ['critical'] }, o!)).toBe(true);
    expect(meets({ type: 'service', service: 'matching', statuses: ['happy'] }, o!)).toBe(false);
    const field = 'primary_signals.poller.no_poller_tasks_per_sec';
    expect(meets({ type: 'signal', field, op: '>', value: 1 }, o!)).toBe(true);
    expect(meets({ type: 'signal', field, op: '<=', value: 1 }, o!)).toBe(false);
    expect(meets({ type: 'signal', field: 'x.absent', op: '<', value: 1 }, o!)).toBe(false);
    expect(meets({ type: 'reason', pattern: 'completion_rate' }, o!)).toBe(true);
    expect(meets({ type: 'reason', pattern: 'nobody polls' }, o!)).toBe(false);
    expect(meets({ type: 'names', pattern: 'nobody polls' }, o!)).toBe(true);
    expect(meets({ type: 'names', pattern: 'CLUSTER IS STRESSED' }, o!)).toBe(true);
    expect(meets({ type: 'names', pattern: 'completion_rate' }, o!)).toBe(false);
    expect(meets({ type: 'gate', gates: ['critical.completion_rate'] }, o!)).toBe(true);
    expect(meets({ type: 'gate', gates: ['critical.throughput'] }, o!)).toBe(false);
  });

  it('an unanswered poll meets nothing', () => {
    const [none] = record(MARKS, [null]);
    expect(meets({ type: 'state', states: ['unknown'] }, none!)).toBe(false);
  });

  it('a signal judged since the phase began needs a rise over the last value before it', () => {
    const field = 'primary_signals.history.shard_churn_rate_per_sec';
    const churn: Expectation = {
      id: 'churn',
      description: 'churn rises in the fault',
      mode: 'eventually',
      phase: 'fault',
      check: { type: 'signal', field, op: '>', value: 0, sincePhaseStart: true },
      within_s: 15,
    };
    const states = repeat<HealthState>('happy', 30);
    // A rate still carrying the stack's start-up (0.02/s) from the baseline on: no rise.
    const residue = record(MARKS, states, () => ({ signals: { [field]: 0.02 } }));
    const [flat] = judgeExpectations([churn], residue, MARKS, 30_000);
    expect(flat).toMatchObject({ status: 'fail', at_s: null });
    expect(flat!.detail).toContain('> 0.02');
    // The same residue with shards moving at +6 s into the fault.
    const moved = record(MARKS, states, (i) => ({ signals: { [field]: i >= 16 ? 0.03 : 0.02 } }));
    expect(judgeExpectations([churn], moved, MARKS, 30_000)[0]).toMatchObject({
      status: 'pass',
      at_s: 6,
    });
    // Without the flag the residue alone passes at once: what the flag is for.
    const plain: Expectation = { ...churn, check: { type: 'signal', field, op: '>', value: 0 } };
    expect(judgeExpectations([plain], residue, MARKS, 30_000)[0]).toMatchObject({
      status: 'pass',
      at_s: 0,
    });
  });
});

describe('phases', () => {
  it('each phase runs to the next mark, the last to the end of the run', () => {
    expect(phaseWindows(MARKS, 40_000).map((w) => [w.phase, w.start_ms, w.end_ms])).toEqual([
      ['warmup', 0, 5_000],
      ['baseline', 5_000, 10_000],
      ['fault', 10_000, 30_000],
      ['recovery', 30_000, 40_000],
    ]);
  });

  it('a phase is satisfied once every checked eventually-expectation of it is met', () => {
    const obs = record(MARKS, WORKER_OUTAGE);
    expect(phaseSatisfied('fault', OUTAGE_EXPECTATIONS, obs.slice(0, 20), MARKS, 20_000)).toBe(
      false,
    );
    expect(phaseSatisfied('fault', OUTAGE_EXPECTATIONS, obs.slice(0, 25), MARKS, 25_000)).toBe(
      true,
    );
    // Nothing to wait for in the baseline.
    expect(phaseSatisfied('baseline', OUTAGE_EXPECTATIONS, obs, MARKS, 8_000)).toBe(true);
  });
});
