import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { expectConsistent } from '../../../test/helpers/narration.js';
import { evaluate } from '../../health/evaluate.js';
import { makeSignals, type FieldKey } from '../../../test/helpers/make-signals.js';
import type {
  DataQuality,
  HealthState,
  PreviousEvaluation,
  ScaleBand,
  Signals,
  SignalValue,
} from '../../health/types.js';
import { LOG_PATTERNS } from '../../signals/log-patterns.js';
import type { LogPatternCount } from '../../model/records.js';
import { loadKnowledgeBase } from '../kb.js';

import { narrate } from './index.js';

const kb = loadKnowledgeBase();

// ---- properties over random evaluations --------------------------------------------------------

const RANGES: Record<FieldKey, number> = {
  throughput: 800,
  transitionLatencyP99: 4000,
  success: 40,
  failed: 40,
  completionRate: 1,
  historyBacklog: 1200,
  processing: 800,
  shardChurn: 15,
  restarts: 3,
  frontendErrors: 15,
  frontendP99: 6000,
  matchingWorkflowBacklog: 600,
  matchingActivityBacklog: 600,
  pollTimeoutRate: 1,
  tasksAdded: 40,
  dispatchRatio: 1,
  persistenceP99: 1500,
  persistenceErrors: 120,
  deletion: 40,
  cleanup: 8,
};

/** A field: often absent or zero (to reach idle and unknown), often small, else anywhere. */
const value = (max: number): fc.Arbitrary<SignalValue> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constant(0) },
    // Small values too: the starter band's limits (and "between thresholds") live near zero.
    { weight: 4, arbitrary: fc.double({ min: 0, max: max / 40, noNaN: true }) },
    { weight: 8, arbitrary: fc.double({ min: 0, max, noNaN: true }) },
  );

const values = fc.record(
  Object.fromEntries(Object.entries(RANGES).map(([k, max]) => [k, value(max)])) as Record<
    FieldKey,
    fc.Arbitrary<SignalValue>
  >,
);

const qualityArb: fc.Arbitrary<DataQuality | undefined> = fc.option(
  fc.record({
    prometheus_ok: fc.boolean(),
    target_up: fc.constantFrom(true, true, true, false, null),
    scrape_age_s: fc.option(fc.double({ min: 0, max: 400, noNaN: true }), { nil: null }),
    unavailable: fc.constant([] as string[]),
  }),
  { nil: undefined, freq: 2 },
);

const workerArb = fc.option(
  fc.record({
    workflow_slots_available: fc.option(fc.nat(50), { nil: null }),
    workflow_slots_used: fc.nat(200),
    activity_slots_available: fc.option(fc.nat(50), { nil: null }),
    activity_slots_used: fc.nat(200),
    wft_schedule_to_start_p95_ms: fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), {
      nil: null,
    }),
    workflow_pollers: fc.nat(20),
    activity_pollers: fc.nat(20),
    sticky_cache_hit_rate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  }),
  { nil: undefined },
);

const amplifierArb = fc.option(
  fc.record({
    'connection_pool.utilization_pct': fc.double({ min: 0, max: 100, noNaN: true }),
    'persistence.occ_conflicts_per_sec': fc.double({ min: 0, max: 20, noNaN: true }),
    'host.cpu_throttle_pct': fc.double({ min: 0, max: 60, noNaN: true }),
    'throttling.rate_limit_events_per_sec': fc.double({ min: 0, max: 3, noNaN: true }),
    'cache.hit_rate': fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { nil: undefined },
);

const signalsArb: fc.Arbitrary<Signals> = fc
  .tuple(values, qualityArb, workerArb, amplifierArb, fc.double({ min: 0, max: 5, noNaN: true }))
  .map(([v, quality, worker, amps, noPoller]) => {
    const s = makeSignals(v, {
      ...(quality === undefined ? {} : { quality }),
      ...(worker === undefined ? {} : { worker }),
    });
    const amplifiers: Record<string, Record<string, number>> = {};
    for (const [k, x] of Object.entries(amps ?? {})) {
      const [section, field] = k.split('.');
      (amplifiers[section!] ??= {})[field!] = x;
    }
    return {
      ...s,
      primary_signals: {
        ...s.primary_signals,
        poller: { ...s.primary_signals.poller, no_poller_tasks_per_sec: noPoller },
      },
      ...(amps === undefined ? {} : { amplifiers }),
    };
  });

const previousArb: fc.Arbitrary<PreviousEvaluation | undefined> = fc.option(
  fc.record({
    health_state: fc.constantFrom<HealthState>('happy', 'stressed', 'critical', 'unknown'),
    consecutive_critical: fc.nat(5),
    scale_band: fc.constantFrom<ScaleBand | null>(null, 'starter', 'mid-scale', 'high-throughput'),
  }),
  { nil: undefined },
);

const logArb: fc.Arbitrary<LogPatternCount[]> = fc.array(
  fc.record({
    pattern: fc.oneof(fc.constantFrom(...LOG_PATTERNS.map((p) => p.pattern)), fc.string()),
    service: fc.oneof(fc.constantFrom('history', 'matching', 'frontend'), fc.string()),
    count: fc.nat(200),
    sample_message: fc.string({ unit: 'binary', maxLength: 400 }),
  }),
  { maxLength: 4 },
);

describe('properties', () => {
  it('never contradicts the state or the gates', () => {
    fc.assert(
      fc.property(
        signalsArb,
        previousArb,
        fc.array(signalsArb, { maxLength: 6 }),
        logArb,
        (signals, previous, window, logs) => {
          const evaluation = evaluate(signals, previous);
          const x = narrate({
            evaluation,
            signals,
            window: [...window, signals],
            log_patterns: logs,
          });
          expectConsistent(evaluation, x);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('with the knowledge base, cites only headings that exist', () => {
    fc.assert(
      fc.property(signalsArb, previousArb, (signals, previous) => {
        const evaluation = evaluate(signals, previous);
        const x = narrate({ evaluation, signals, window: [], log_patterns: [], kb });
        expectConsistent(evaluation, x);
        for (const c of x.explanation.citations) expect(kb.has(c.file, c.heading)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('reaches every state, so the properties above are not vacuous', () => {
    const seen = new Set<HealthState>();
    fc.assert(
      fc.property(signalsArb, previousArb, (signals, previous) => {
        seen.add(evaluate(signals, previous).health_state);
      }),
      { numRuns: 400, seed: 7 },
    );
    expect([...seen].sort()).toEqual(['critical', 'happy', 'stressed', 'unknown']);
  });
});
