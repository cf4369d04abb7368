/** `headway bench compare A B`: B against the baseline A, with regressions flagged. */
import type { BenchResults } from './results.js';

export interface ComparisonRow {
  readonly metric: string;
  readonly baseline: number;
  readonly candidate: number;
  /** (candidate − baseline) / baseline; null when the baseline is 0. */
  readonly change: number | null;
  readonly regression: boolean;
}

export interface Comparison {
  readonly rows: readonly ComparisonRow[];
  readonly regressions: number;
  /** Notes on why the runs may not be comparable (different type, rate, …). */
  readonly caveats: readonly string[];
}

type Direction = 'lower-is-better' | 'higher-is-better';

const METRICS: readonly (readonly [string, Direction, (r: BenchResults) => number])[] = [
  ['achieved start rate (/s)', 'higher-is-better', (r) => r.results.achievedStartRate],
  ['completion rate (/s)', 'higher-is-better', (r) => r.results.completionRate],
  ['not completed', 'lower-is-better', (r) => r.results.workflowsFailed],
  ['end-to-end p50 (ms)', 'lower-is-better', (r) => r.results.latency.p50],
  ['end-to-end p95 (ms)', 'lower-is-better', (r) => r.results.latency.p95],
  ['end-to-end p99 (ms)', 'lower-is-better', (r) => r.results.latency.p99],
  ['end-to-end max (ms)', 'lower-is-better', (r) => r.results.latency.max],
  ['start p99 (ms)', 'lower-is-better', (r) => r.results.startLatency.p99],
  ['drain time (ms)', 'lower-is-better', (r) => r.results.drainTimeMs],
  ['late starts', 'lower-is-better', (r) => r.results.generator.lateStarts],
];

/**
 * A metric regresses when it moves the wrong way by more than `tolerance` (relative). Counts that
 * should be zero (not completed) regress on any increase from zero.
 */
export function compareResults(a: BenchResults, b: BenchResults, tolerance = 0.1): Comparison {
  const rows = METRICS.map(([metric, direction, get]) => {
    const baseline = get(a);
    const candidate = get(b);
    const change = baseline === 0 ? null : (candidate - baseline) / baseline;
    const worse = direction === 'lower-is-better' ? candidate > baseline : candidate < baseline;
    const regression =
      worse &&
      (change === null
        ? candidate > 0 && metric === 'not completed'
        : Math.abs(change) > tolerance);
    return { metric, baseline, candidate, change, regression };
  });
  const caveats: string[] = [];
  const ca = a.config;
  const cb = b.config;
  if (ca.workflowType !== cb.workflowType)
    caveats.push(`workflow types differ: ${ca.workflowType} vs ${cb.workflowType}`);
  if (ca.targetRate !== cb.targetRate)
    caveats.push(`target rates differ: ${ca.targetRate}/s vs ${cb.targetRate}/s`);
  if (ca.durationMs !== cb.durationMs)
    caveats.push(`durations differ: ${ca.duration} vs ${cb.duration}`);
  if (ca.workerCount !== cb.workerCount)
    caveats.push(`worker counts differ: ${ca.workerCount} vs ${cb.workerCount}`);
  return { rows, regressions: rows.filter((r) => r.regression).length, caveats };
}
