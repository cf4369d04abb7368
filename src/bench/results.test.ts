import { describe, expect, it } from 'vitest';

import { compareResults } from './compare.js';
import { OUTCOMES, type GeneratorResult, type Outcome } from '../load/generator.js';
import { LatencyHistogram } from '../load/histogram.js';

import { renderReport } from './report.js';
import {
  aggregate,
  evaluateThresholds,
  formatSummary,
  iterationRecord,
  type BenchResults,
} from './results.js';

function gen(opts: {
  latencies: number[];
  outcomes?: Partial<Record<Outcome, number>>;
  accepted?: number;
  late?: number;
}): GeneratorResult {
  const e2e = new LatencyHistogram();
  for (const v of opts.latencies) e2e.recordMs(v);
  const start = new LatencyHistogram();
  for (let i = 0; i < opts.latencies.length; i++) start.recordMs(2);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  Object.assign(outcomes, { completed: opts.latencies.length }, opts.outcomes);
  const accepted = opts.accepted ?? opts.latencies.length;
  return {
    intendedStarts: accepted,
    attemptedStarts: accepted,
    acceptedStarts: accepted,
    outcomes,
    startLatency: start,
    endToEndLatency: e2e,
    scheduleLag: new LatencyHistogram(),
    lateStarts: opts.late ?? 0,
    lagToleranceMs: 100,
    maxLagMs: 0,
    aborted: false,
    timing: { rampUpMs: 0, durationMs: 10_000, lastFireMs: 9_900, drainMs: 120 },
    achievedStartRate: accepted / 10,
    overallStartRate: accepted / 10,
    completionRate: opts.latencies.length / 10,
    measured: { seconds: 10, acceptedStarts: accepted, completions: opts.latencies.length },
    timeline: [{ second: 0, intended: 1, started: 1, completed: 1, errors: 0, p50Ms: 1, p99Ms: 2 }],
  };
}

const it1 = iterationRecord(
  1,
  new Date(0),
  gen({ latencies: [...Array<number>(99).fill(10), 20] }),
  10,
  {
    cpuMs: 100,
    stateTransitionsPerSecond: 40,
  },
);
const it2 = iterationRecord(
  2,
  new Date(20_000),
  gen({
    latencies: [...Array<number>(90).fill(10), ...Array<number>(10).fill(4_000)],
    outcomes: { failed: 2, start_error: 1 },
  }),
  10,
  { cpuMs: 300, stateTransitionsPerSecond: 20 },
);

describe('aggregate', () => {
  const total = aggregate([it1, it2], 10, 10_000);

  it('sums counts and rates over the summed windows', () => {
    expect(total.workflowsStarted).toBe(200);
    expect(total.workflowsCompleted).toBe(200);
    expect(total.workflowsFailed).toBe(3);
    expect(total.errors).toMatchObject({ failed: 2, start_error: 1, timed_out: 0 });
    expect(total.completionRate).toBe(10);
    expect(total.achievedStartRate).toBe(10);
    expect(total.generator.cpuMsPer1000Starts).toBe(2_000);
    expect(total.stateTransitionsPerSecond).toBe(30);
  });

  it('takes percentiles from the merged histogram, not the average of iterations', () => {
    expect(it1.latency.p99).toBeCloseTo(10, 1);
    expect(it2.latency.p99).toBe(4_000);
    // 200 values: 189 of 10 ms, one of 20 ms, 10 of 4 s. The 190th (p95) is 20 ms and p99 is 4 s;
    // averaging the iterations' p99s would say 2,005 ms.
    expect(total.latency.p95).toBeCloseTo(20, 1);
    expect(total.latency.p99).toBe(4_000);
    expect(total.latency.max).toBe(4_000);
  });
});

describe('evaluateThresholds', () => {
  it('passes a clean run within the limits', () => {
    const v = evaluateThresholds(aggregate([it1], 10, 10_000), {
      maxP99LatencyMs: 100,
      minThroughput: 9.5,
    });
    expect(v).toEqual({ passed: true, failureReasons: [], warnings: [] });
  });

  it('fails with a reason for each broken threshold and for errors', () => {
    const v = evaluateThresholds(aggregate([it1, it2], 10, 10_000), {
      maxP99LatencyMs: 1_000,
      minThroughput: 50,
    });
    expect(v.passed).toBe(false);
    expect(v.failureReasons).toEqual([
      'p99 latency 4000.00ms exceeds threshold 1000.00ms',
      'throughput 10.00/s below threshold 50.00/s',
      '3 workflow(s) did not complete (start_error 1, failed 2)',
    ]);
  });

  it('warns when the generator fell behind or the start rate missed the target', () => {
    const behind = iterationRecord(1, new Date(0), gen({ latencies: [5, 5], late: 2 }), 10, {
      cpuMs: null,
      stateTransitionsPerSecond: null,
    });
    const v = evaluateThresholds(aggregate([behind], 10, 10_000), {
      maxP99LatencyMs: 100,
      minThroughput: 0,
    });
    expect(v.passed).toBe(true);
    expect(v.warnings.join('\n')).toMatch(/fell behind.*\n.*below 99% of the target/);
  });
});

describe('the start-rate warning', () => {
  /** 10/s intended over a 10 s window, `accepted` starts accepted in it, all on time. */
  const warnings = (accepted: number) =>
    evaluateThresholds(
      aggregate(
        [
          iterationRecord(1, new Date(0), gen({ latencies: Array<number>(accepted).fill(5) }), 10, {
            cpuMs: null,
            stateTransitionsPerSecond: null,
          }),
        ],
        10,
        10_000,
      ),
      { maxP99LatencyMs: 100, minThroughput: 0 },
    ).warnings;

  it('allows a start either side of the window (98 of 100), not three (97)', () => {
    expect(warnings(98)).toEqual([]);
    expect(warnings(97)).toEqual(['achieved start rate 9.70/s is below 99% of the target 10/s']);
  });
});

function results(iterations = [it1]): BenchResults {
  const r = aggregate(iterations, 10, 10_000);
  const thresholds = { maxP99LatencyMs: 5_000, minThroughput: 9.5 };
  const v = evaluateThresholds(r, thresholds);
  return {
    schema: 'headway-bench/1',
    timestamp: '2026-01-01T00:00:00.000Z',
    config: {
      workflowType: 'simple',
      targetRate: 10,
      duration: '10s',
      durationMs: 10_000,
      rampUpDuration: '0s',
      rampUpMs: 0,
      workerCount: 2,
      iterations: iterations.length,
      namespace: 'bench-x',
      taskQueue: 'headway-bench',
      address: '127.0.0.1:7233',
      mode: 'full',
    },
    results: r,
    iterations,
    system: {
      generator: { cpus: 2, cpuModel: 'x', memoryBytes: 2 ** 32, platform: 'linux', node: 'v24' },
      server: { version: '1.2.3', historyShards: 4, clusterName: 'active' },
    },
    thresholds,
    passed: v.passed,
    failureReasons: v.failureReasons,
    warnings: v.warnings,
  };
}

describe('summary, report and compare', () => {
  it('prints the rates, latencies, system and verdict', () => {
    const text = formatSummary(results([it1, it2]));
    expect(text).toContain('10.00/s achieved vs 10/s intended (100.0%)');
    expect(text).toContain('server 1.2.3, 4 history shard(s)');
    expect(text).toContain('FAILED\n  - 3 workflow(s) did not complete (start_error 1, failed 2)');
    // When it ran is said in the first line, not left bare after the verdict.
    expect(text.split('\n')[0]).toMatch(/, started 2026-01-01T00:00:00\.000Z$/);
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '  - 3 workflow(s) did not complete (start_error 1, failed 2)',
    );
  });

  it('lines up the throughput rows, state transitions included', () => {
    const r = results();
    const text = formatSummary({
      ...r,
      results: { ...r.results, stateTransitionsPerSecond: 30 },
    });
    const rows = text
      .split('\n')
      .filter((l) =>
        /^ {2}(start rate|completion rate|drain time|workflows|state transitions) /.test(l),
      );
    expect(rows).toHaveLength(5);
    // Every value starts with a digit, in one column.
    const columns = rows.map((l) => l.search(/\d/));
    expect(new Set(columns).size).toBe(1);
  });

  it('renders markdown that references an SVG chart', () => {
    const report = renderReport(results(), 'r.svg');
    expect(report.markdown).toContain('![latency and throughput](r.svg)');
    expect(report.markdown).toContain('**PASSED**');
    expect(report.svg).toMatch(/^<svg [^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });

  it('flags regressions beyond the tolerance', () => {
    const c = compareResults(results([it1]), results([it1, it2]), 0.1);
    const p99 = c.rows.find((r) => r.metric === 'end-to-end p99 (ms)')!;
    expect(p99.regression).toBe(true);
    expect(c.rows.find((r) => r.metric === 'not completed')!.regression).toBe(true);
    expect(c.rows.find((r) => r.metric === 'completion rate (/s)')!.regression).toBe(false);
    expect(compareResults(results(), results(), 0.1).regressions).toBe(0);
  });
});
