import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DECIDING_FIELDS, classifyScaleBand, evaluate } from './evaluate.js';
import { makeSignals, type FieldKey } from '../../test/helpers/make-signals.js';
import { DEFAULT_RULES } from './thresholds.js';
import type { HealthState, PreviousEvaluation, ScaleBand, Signals } from './types.js';

const RUNS = { numRuns: 500 };
const rate = (max: number) => fc.double({ min: 0, max, noNaN: true });

/** Any plausible observation, from idle to burning; optional signals may be absent. */
const signalsArb: fc.Arbitrary<Signals> = fc
  .record({
    throughput: rate(3000),
    transitionLatencyP99: fc.option(rate(5000), { nil: null }),
    success: rate(500),
    failed: rate(500),
    historyBacklog: rate(2000),
    processing: rate(5000),
    shardChurn: rate(20),
    frontendErrors: rate(20),
    frontendP99: fc.option(rate(10_000), { nil: null }),
    matchingWorkflowBacklog: rate(1000),
    matchingActivityBacklog: rate(1000),
    pollTimeoutRate: fc.option(rate(1), { nil: null }),
    persistenceP99: fc.option(rate(2000), { nil: null }),
    persistenceErrors: rate(200),
    deletion: rate(20),
    cleanup: rate(5),
  })
  .map((v) => {
    const terminal = v.success + v.failed;
    return makeSignals({ ...v, completionRate: terminal > 0 ? v.success / terminal : null });
  });

const stateArb = fc.constantFrom<HealthState>('happy', 'stressed', 'critical', 'unknown');
const bandArb = fc.constantFrom<ScaleBand | null>(null, 'starter', 'mid-scale', 'high-throughput');
const previousArb: fc.Arbitrary<PreviousEvaluation> = fc.record({
  health_state: stateArb,
  consecutive_critical: fc.nat(10),
  scale_band: bandArb,
});

describe('state machine properties (fast-check)', () => {
  it('never steps from happy to critical', () => {
    fc.assert(
      fc.property(signalsArb, fc.nat(10), bandArb, (signals, count, band) => {
        const e = evaluate(signals, {
          health_state: 'happy',
          consecutive_critical: count,
          scale_band: band,
        });
        expect(e.health_state).not.toBe('critical');
      }),
      RUNS,
    );
  });

  it('is critical only after three critical evaluations in a row', () => {
    fc.assert(
      fc.property(fc.array(signalsArb, { minLength: 1, maxLength: 12 }), (sequence) => {
        let previous: PreviousEvaluation | undefined;
        const hadCritical: boolean[] = [];
        for (const signals of sequence) {
          const e = evaluate(signals, previous);
          hadCritical.push(
            e.gates.some((g) => g.kind === 'critical' && g.fired === true) &&
              e.health_state !== 'unknown',
          );
          if (e.health_state === 'critical') {
            expect(e.consecutive_critical).toBeGreaterThanOrEqual(
              DEFAULT_RULES.consecutive_critical,
            );
            expect(hadCritical.slice(-DEFAULT_RULES.consecutive_critical).every(Boolean)).toBe(
              true,
            );
          }
          previous = e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(signalsArb, previousArb, (signals, previous) => {
        expect(evaluate(signals, previous)).toEqual(evaluate(signals, previous));
      }),
      RUNS,
    );
  });

  it('says unknown whenever a deciding signal is absent', () => {
    const fieldToKey: Record<string, FieldKey> = {
      'primary_signals.state_transitions.throughput_per_sec': 'throughput',
      'primary_signals.workflow_completion.success_per_sec': 'success',
      'primary_signals.workflow_completion.failed_per_sec': 'failed',
      'primary_signals.history.backlog_age_sec': 'historyBacklog',
      'primary_signals.history.task_processing_rate_per_sec': 'processing',
      'primary_signals.persistence.error_rate_per_sec': 'persistenceErrors',
    };
    fc.assert(
      fc.property(
        signalsArb,
        previousArb,
        fc.constantFrom(...DECIDING_FIELDS),
        (signals, previous, field) => {
          const [, section, name] = field.split('.');
          const primary = structuredClone(signals.primary_signals) as Record<
            string,
            Record<string, number | null>
          >;
          primary[section!]![name!] = null;
          const e = evaluate({ ...signals, primary_signals: primary }, previous);
          expect(fieldToKey[field]).toBeDefined();
          expect(e.health_state).toBe('unknown');
          expect(e.consecutive_critical).toBe(0);
        },
      ),
      RUNS,
    );
  });

  it('changes scale band only when throughput crosses a boundary by more than the hysteresis', () => {
    const { mid_scale_min: mid, high_throughput_min: high, hysteresis: h } = DEFAULT_RULES.bands;
    fc.assert(
      fc.property(
        fc.constantFrom<ScaleBand>('starter', 'mid-scale', 'high-throughput'),
        rate(3000),
        fc.boolean(),
        (band, st, waiting) => {
          const next = classifyScaleBand(st, band, DEFAULT_RULES, waiting).band;
          if (next === band) return;
          const rank = { starter: 0, 'mid-scale': 1, 'high-throughput': 2 };
          if (rank[next] > rank[band]) {
            const boundary = rank[next] === 2 ? high : mid;
            expect(st).toBeGreaterThanOrEqual(boundary * (1 + h) - 1e-9);
          } else {
            expect(waiting).toBe(false);
            const boundary = rank[band] === 2 ? high : mid;
            expect(st).toBeLessThan(boundary * (1 - h) + 1e-9);
          }
        },
      ),
      RUNS,
    );
  });

  it('an idle cluster is happy and an outage is never happy', () => {
    fc.assert(
      fc.property(previousArb, fc.boolean(), fc.boolean(), (previous, prometheusOk, targetUp) => {
        fc.pre(!(prometheusOk && targetUp));
        const zeros = makeSignals(
          { throughput: 0, processing: 0, success: 0, failed: 0, historyBacklog: 0 },
          {
            quality: {
              prometheus_ok: prometheusOk,
              target_up: targetUp,
              scrape_age_s: 1,
              unavailable: [],
            },
          },
        );
        expect(evaluate(zeros, previous).health_state).toBe('unknown');
        const idle = makeSignals({
          throughput: 0,
          processing: 0,
          success: 0,
          failed: 0,
          historyBacklog: 0,
        });
        expect(evaluate(idle, previous).health_state).toBe('happy');
      }),
      { numRuns: 100 },
    );
  });
});
