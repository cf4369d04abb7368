/**
 * Bench results: one record per iteration and an aggregate. The aggregate sums counts and merges
 * histograms; percentiles are never averaged across iterations, and rates are total events over
 * total measured time, never an average of per-iteration rates.
 */
import {
  OUTCOMES,
  type GeneratorResult,
  type Outcome,
  type TimelineSecond,
} from '../load/generator.js';
import {
  LatencyHistogram,
  type HistogramSnapshot,
  type LatencySummary,
} from '../load/histogram.js';

import type { BenchWorkflowType } from './workflow-types.js';

export const RESULTS_SCHEMA = 'headway-bench/1';

export interface BenchConfigRecord {
  readonly workflowType: BenchWorkflowType;
  readonly targetRate: number;
  readonly duration: string;
  readonly durationMs: number;
  readonly rampUpDuration: string;
  readonly rampUpMs: number;
  readonly workerCount: number;
  readonly iterations: number;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly address: string;
  readonly mode: 'full' | 'generator-only';
  /** Starts asked for eager execution on an in-process worker (absent: they did not). */
  readonly eagerStart?: boolean;
  readonly activityCount?: number;
  readonly timerDurationMs?: number;
  readonly childCount?: number;
}

export interface Thresholds {
  readonly maxP99LatencyMs: number;
  readonly minThroughput: number;
}

export interface SystemInfo {
  readonly generator: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryBytes: number;
    readonly platform: string;
    readonly node: string;
  };
  readonly server: {
    readonly version: string | null;
    readonly historyShards: number | null;
    readonly clusterName: string | null;
  };
}

/** The measured part of a run, shared by iterations and the aggregate. */
export interface RunMetrics {
  readonly workflowsIntended: number;
  readonly workflowsStarted: number;
  readonly workflowsCompleted: number;
  /** Every workflow known not to have completed, whatever the reason. */
  readonly workflowsFailed: number;
  /** Started, but the server could not be asked how it ended (neither failed nor completed). */
  readonly workflowsOutcomeUnknown: number;
  readonly errors: Record<Exclude<Outcome, 'completed'>, number>;
  /** Completions per second over the measured window (the reference's field, made honest). */
  readonly actualRate: number;
  readonly intendedRate: number;
  readonly achievedStartRate: number;
  readonly overallStartRate: number;
  readonly completionRate: number;
  readonly measuredWindowSeconds: number;
  readonly drainTimeMs: number;
  /** End-to-end latency (intended start → result), ms. */
  readonly latency: LatencySummary;
  /** Intended start → start accepted, ms. */
  readonly startLatency: LatencySummary;
  readonly generator: {
    readonly lateStarts: number;
    readonly lagToleranceMs: number;
    readonly maxLagMs: number;
    readonly fellBehind: boolean;
    /** Process CPU per 1,000 accepted starts (includes in-process workers unless generator-only). */
    readonly cpuMsPer1000Starts: number | null;
    /** The generator's own (main) thread: CPU time over wall time, 1 = one core. */
    readonly mainThreadCpuShare: number | null;
    /** The whole process (workers, SDK threads) over wall time, 1 = one core. */
    readonly processCpuShare: number | null;
    /** Event-loop delay of the generator's thread (ms). */
    readonly eventLoopLagP99Ms: number | null;
    readonly eventLoopLagMaxMs: number | null;
    /** Starts the server throttled and the generator sent again. */
    readonly startRetries: number;
    /** True when the generator, not the cluster, limited the run (see warnings). */
    readonly bottleneck: boolean;
  };
  readonly stateTransitionsPerSecond: number | null;
}

export interface IterationRecord extends RunMetrics {
  readonly iteration: number;
  readonly startedAt: string;
  readonly aborted: boolean;
  readonly timeline: readonly TimelineSecond[];
  /** Raw histograms, so results from several files can be merged later. */
  readonly histograms: { readonly endToEnd: HistogramSnapshot; readonly start: HistogramSnapshot };
  /** Counts behind the rates. */
  readonly measured: GeneratorResult['measured'];
  readonly cpuMs: number | null;
  readonly load: GeneratorLoad;
}

/** What the generator's own work cost during one iteration. */
export interface GeneratorLoad {
  readonly wallMs: number;
  readonly mainThreadCpuMs: number | null;
  readonly eventLoopLagP99Ms: number | null;
  readonly eventLoopLagMaxMs: number | null;
  readonly startRetries: number;
}

/** What the bench process cost, start-up included (whole process: generator and workers). */
export interface ProcessCost {
  /** From process start to the first iteration's first start. */
  readonly startupMs: number;
  readonly startupCpuMs: number;
  readonly cpuMs: number;
  readonly maxRssBytes: number;
  /** V8's heap limit; absent in older results (as are the three below). */
  readonly heapLimitBytes?: number;
  /** The Node flags the process ran with (the bench's memory settings: src/os/node-settings.js). */
  readonly nodeFlags?: readonly string[];
  /** glibc's MALLOC_ARENA_MAX in the process's environment; null when unset. */
  readonly mallocArenaMax?: string | null;
  /**
   * The Temporal core's Tokio worker threads counted at the end of the run (the bench asks for
   * one: src/os/node-settings.js); null without Linux's /proc, absent in older results.
   */
  readonly tokioWorkerThreads?: number | null;
  /** Full collections the bench asked for (src/bench/heap-trim.ts); absent in older results. */
  readonly heapTrims?: number;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly timestamp: string;
  readonly config: BenchConfigRecord;
  readonly results: RunMetrics;
  readonly iterations: readonly IterationRecord[];
  readonly system: SystemInfo;
  readonly thresholds: Thresholds;
  readonly passed: boolean;
  readonly failureReasons: readonly string[];
  readonly warnings: readonly string[];
  /** Absent in results written before it was recorded. */
  readonly process?: ProcessCost;
}

/** A start later than the tolerance in more than this share of starts means "fell behind". */
const BEHIND_SHARE = 0.01;
/** A generator thread busier than this share of one core is the bottleneck, not the cluster. */
const BUSY_SHARE = 0.85;

export function iterationRecord(
  iteration: number,
  startedAt: Date,
  gen: GeneratorResult,
  targetRate: number,
  extra: {
    readonly cpuMs: number | null;
    readonly stateTransitionsPerSecond: number | null;
    readonly load?: GeneratorLoad;
  },
): IterationRecord {
  const load: GeneratorLoad = extra.load ?? {
    wallMs: gen.timing.durationMs,
    mainThreadCpuMs: null,
    eventLoopLagP99Ms: null,
    eventLoopLagMaxMs: null,
    startRetries: 0,
  };
  return {
    iteration,
    startedAt: startedAt.toISOString(),
    aborted: gen.aborted,
    ...metricsFrom({
      intended: gen.intendedStarts,
      started: gen.acceptedStarts,
      outcomes: gen.outcomes,
      measured: gen.measured,
      totalSeconds: gen.timing.durationMs / 1_000,
      drainMs: gen.timing.drainMs,
      endToEnd: gen.endToEndLatency,
      start: gen.startLatency,
      lateStarts: gen.lateStarts,
      lagToleranceMs: gen.lagToleranceMs,
      maxLagMs: gen.maxLagMs,
      targetRate,
      cpuMs: extra.cpuMs,
      stateTransitionsPerSecond: extra.stateTransitionsPerSecond,
      load,
    }),
    timeline: gen.timeline,
    histograms: { endToEnd: gen.endToEndLatency.toJSON(), start: gen.startLatency.toJSON() },
    measured: gen.measured,
    cpuMs: extra.cpuMs,
    load,
  };
}

interface MetricsInput {
  readonly intended: number;
  readonly started: number;
  readonly outcomes: Record<Outcome, number>;
  readonly measured: GeneratorResult['measured'];
  readonly totalSeconds: number;
  readonly drainMs: number;
  readonly endToEnd: LatencyHistogram;
  readonly start: LatencyHistogram;
  readonly lateStarts: number;
  readonly lagToleranceMs: number;
  readonly maxLagMs: number;
  readonly targetRate: number;
  readonly cpuMs: number | null;
  readonly stateTransitionsPerSecond: number | null;
  readonly load: GeneratorLoad;
}

function metricsFrom(m: MetricsInput): RunMetrics {
  const errors = Object.fromEntries(
    OUTCOMES.filter((o) => o !== 'completed').map((o) => [o, m.outcomes[o]]),
  ) as RunMetrics['errors'];
  const failed = Object.values(errors).reduce((a, b) => a + b, 0) - errors.outcome_unknown;
  const seconds = m.measured.seconds;
  const completionRate = seconds > 0 ? m.measured.completions / seconds : 0;
  const share = (cpuMs: number | null): number | null =>
    cpuMs === null || m.load.wallMs <= 0 ? null : round(cpuMs / m.load.wallMs);
  const mainThreadCpuShare = share(m.load.mainThreadCpuMs);
  const fellBehind = m.intended > 0 && m.lateStarts / m.intended > BEHIND_SHARE;
  return {
    workflowsIntended: m.intended,
    workflowsStarted: m.started,
    workflowsCompleted: m.outcomes.completed,
    workflowsFailed: failed,
    workflowsOutcomeUnknown: errors.outcome_unknown,
    errors,
    actualRate: round(completionRate),
    intendedRate: m.targetRate,
    achievedStartRate: round(seconds > 0 ? m.measured.acceptedStarts / seconds : 0),
    overallStartRate: round(m.totalSeconds > 0 ? m.started / m.totalSeconds : 0),
    completionRate: round(completionRate),
    measuredWindowSeconds: round(seconds),
    drainTimeMs: round(m.drainMs),
    latency: m.endToEnd.summary(),
    startLatency: m.start.summary(),
    generator: {
      lateStarts: m.lateStarts,
      lagToleranceMs: m.lagToleranceMs,
      maxLagMs: m.maxLagMs,
      fellBehind,
      cpuMsPer1000Starts:
        m.cpuMs === null || m.started === 0 ? null : round((m.cpuMs / m.started) * 1_000),
      mainThreadCpuShare,
      processCpuShare: share(m.cpuMs),
      eventLoopLagP99Ms: m.load.eventLoopLagP99Ms,
      eventLoopLagMaxMs: m.load.eventLoopLagMaxMs,
      startRetries: m.load.startRetries,
      // Late starts alone may be the server (in-flight bound); a saturated thread is the generator.
      bottleneck:
        (mainThreadCpuShare !== null && mainThreadCpuShare > BUSY_SHARE) ||
        (fellBehind &&
          m.load.eventLoopLagP99Ms !== null &&
          m.load.eventLoopLagP99Ms > m.lagToleranceMs),
    },
    stateTransitionsPerSecond:
      m.stateTransitionsPerSecond === null ? null : round(m.stateTransitionsPerSecond),
  };
}

/** Aggregates iterations: sums, merged histograms, rates over the summed windows. */
export function aggregate(
  iterations: readonly IterationRecord[],
  targetRate: number,
  durationMs: number,
): RunMetrics {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const it of iterations) {
    outcomes.completed += it.workflowsCompleted;
    for (const [o, n] of Object.entries(it.errors)) outcomes[o as Outcome] += n;
  }
  const sum = (f: (it: IterationRecord) => number): number =>
    iterations.reduce((a, it) => a + f(it), 0);
  const cpu = iterations.every((it) => it.cpuMs !== null) ? sum((it) => it.cpuMs ?? 0) : null;
  const st = iterations
    .map((it) => it.stateTransitionsPerSecond)
    .filter((v): v is number => v !== null);
  return metricsFrom({
    intended: sum((it) => it.workflowsIntended),
    started: sum((it) => it.workflowsStarted),
    outcomes,
    measured: {
      seconds: sum((it) => it.measured.seconds),
      acceptedStarts: sum((it) => it.measured.acceptedStarts),
      completions: sum((it) => it.measured.completions),
    },
    totalSeconds: (iterations.length * durationMs) / 1_000,
    drainMs: Math.max(0, ...iterations.map((it) => it.drainTimeMs)),
    endToEnd: LatencyHistogram.merged(
      iterations.map((it) => LatencyHistogram.fromJSON(it.histograms.endToEnd)),
    ),
    start: LatencyHistogram.merged(
      iterations.map((it) => LatencyHistogram.fromJSON(it.histograms.start)),
    ),
    lateStarts: sum((it) => it.generator.lateStarts),
    lagToleranceMs: iterations[0]?.generator.lagToleranceMs ?? 0,
    maxLagMs: Math.max(0, ...iterations.map((it) => it.generator.maxLagMs)),
    targetRate,
    cpuMs: cpu,
    load: {
      wallMs: sum((it) => it.load.wallMs),
      mainThreadCpuMs: iterations.every((it) => it.load.mainThreadCpuMs !== null)
        ? sum((it) => it.load.mainThreadCpuMs ?? 0)
        : null,
      eventLoopLagP99Ms: maxOrNull(iterations.map((it) => it.load.eventLoopLagP99Ms)),
      eventLoopLagMaxMs: maxOrNull(iterations.map((it) => it.load.eventLoopLagMaxMs)),
      startRetries: sum((it) => it.load.startRetries),
    },
    // A per-second rate from Prometheus has no count behind it; weight by window length.
    stateTransitionsPerSecond:
      st.length === 0 || st.length !== iterations.length
        ? null
        : sum((it) => (it.stateTransitionsPerSecond ?? 0) * it.measured.seconds) /
          sum((it) => it.measured.seconds),
  });
}

function maxOrNull(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

export interface Verdict {
  readonly passed: boolean;
  readonly failureReasons: string[];
  readonly warnings: string[];
}

/**
 * Pass/fail: p99 within the limit, completions per second over the measured window at least the
 * minimum, and every started workflow completed (an error is never a success).
 */
export function evaluateThresholds(results: RunMetrics, thresholds: Thresholds): Verdict {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const p99 = results.latency.p99;
  if (results.workflowsCompleted === 0) {
    reasons.push('no workflow completed');
  } else if (p99 > thresholds.maxP99LatencyMs) {
    reasons.push(
      `p99 latency ${p99.toFixed(2)}ms exceeds threshold ${thresholds.maxP99LatencyMs.toFixed(2)}ms`,
    );
  }
  if (results.completionRate < thresholds.minThroughput) {
    reasons.push(
      `throughput ${results.completionRate.toFixed(2)}/s below threshold ${thresholds.minThroughput.toFixed(2)}/s`,
    );
  }
  if (results.workflowsOutcomeUnknown > 0) {
    reasons.push(
      `${results.workflowsOutcomeUnknown} workflow(s) with an unknown outcome: the server ` +
        'could not be asked how they ended',
    );
  }
  if (results.workflowsFailed > 0) {
    const byType = Object.entries(results.errors)
      .filter(([t, n]) => n > 0 && t !== 'outcome_unknown')
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    reasons.push(`${results.workflowsFailed} workflow(s) did not complete (${byType})`);
  }
  if (results.generator.fellBehind) {
    warnings.push(
      `the generator fell behind: ${results.generator.lateStarts} start(s) fired more than ` +
        `${results.generator.lagToleranceMs} ms late (max ${results.generator.maxLagMs.toFixed(0)} ms); ` +
        'the offered load was lower than intended',
    );
  }
  const g = results.generator;
  if (g.bottleneck) {
    // A busy thread is this process's own work; a delayed loop on a quiet thread is a machine
    // short of CPU (other processes, the server itself). Either way the load was not offered.
    warnings.push(
      `the generator, not the cluster, limited this run: its event loop was delayed (p99 ` +
        `${g.eventLoopLagP99Ms ?? '?'} ms) while its thread used ` +
        `${((g.mainThreadCpuShare ?? 0) * 100).toFixed(0)}% of a core ` +
        `(${(g.mainThreadCpuShare ?? 0) > BUSY_SHARE ? 'its own work' : 'the machine is short of CPU'}); ` +
        'run the workers elsewhere (--generator-only) or on another host, or lower --rate',
    );
  }
  // A start either side of the measured window is where its edges fall between starts (7/s over
  // 2.5 s holds 17 or 18), or a start intended just before its end and accepted after it: not a
  // shortfall, though over a few seconds one start is over 1 %.
  const edges = results.measuredWindowSeconds > 0 ? 2 / results.measuredWindowSeconds : 0;
  if (
    results.achievedStartRate < Math.min(0.99 * results.intendedRate, results.intendedRate - edges)
  ) {
    warnings.push(
      `achieved start rate ${results.achievedStartRate.toFixed(2)}/s is below 99% of the target ` +
        `${results.intendedRate}/s`,
    );
  }
  return { passed: reasons.length === 0, failureReasons: reasons, warnings };
}

/** The human summary printed on stdout. */
export function formatSummary(r: BenchResults): string {
  const c = r.config;
  const m = r.results;
  const lat = (s: LatencySummary): string =>
    `p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)}`;
  const params = [
    c.activityCount === undefined ? '' : `activities ${c.activityCount}`,
    c.timerDurationMs === undefined ? '' : `timer ${c.timerDurationMs} ms`,
    c.childCount === undefined ? '' : `children ${c.childCount}`,
  ]
    .filter((s) => s !== '')
    .join(', ');
  const errors = Object.entries(m.errors)
    .filter(([t, n]) => n > 0 && t !== 'outcome_unknown')
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const lines = [
    `Benchmark ${c.workflowType}${params === '' ? '' : ` (${params})`} on ${c.address}, namespace ${c.namespace}, started ${r.timestamp}`,
    `  target ${c.targetRate}/s for ${c.duration} (ramp-up ${c.rampUpDuration}), ` +
      `${c.workerCount} worker(s)${c.mode === 'generator-only' ? ' elsewhere' : ''}, ` +
      `${c.iterations} iteration(s)${c.eagerStart === true ? ', eager start' : ''}`,
    '',
    'Throughput (measured window: after ramp-up, before drain)',
    `  ${label('start rate')}${m.achievedStartRate.toFixed(2)}/s achieved vs ${m.intendedRate}/s intended ` +
      `(${pct(m.achievedStartRate, m.intendedRate)})`,
    `  ${label('completion rate')}${m.completionRate.toFixed(2)}/s`,
    `  ${label('drain time')}${(m.drainTimeMs / 1_000).toFixed(2)} s`,
    `  ${label('workflows')}${m.workflowsStarted}/${m.workflowsIntended} started, ` +
      `${m.workflowsCompleted} completed, ${m.workflowsFailed} not completed` +
      (errors === '' ? '' : ` (${errors})`) +
      (m.workflowsOutcomeUnknown > 0 ? `, ${m.workflowsOutcomeUnknown} outcome unknown` : ''),
    ...(m.stateTransitionsPerSecond === null
      ? []
      : [
          `  ${label('state transitions')}${m.stateTransitionsPerSecond.toFixed(1)}/s (Prometheus)`,
        ]),
    '',
    'Latency (from the intended start time)',
    `  end-to-end  ${lat(m.latency)}`,
    `  start       ${lat(m.startLatency)}`,
    `  generator   ${m.generator.lateStarts} late start(s) (> ${m.generator.lagToleranceMs} ms), ` +
      `max lag ${ms(m.generator.maxLagMs)}` +
      (m.generator.cpuMsPer1000Starts === null
        ? ''
        : // Process CPU: it includes in-process workers unless the run was --generator-only.
          `, process CPU ${(m.generator.cpuMsPer1000Starts / 1_000).toFixed(2)} s per 1,000 starts`),
    `              its thread ${share(m.generator.mainThreadCpuShare)} of a core, process ` +
      `${share(m.generator.processCpuShare)}, event-loop lag p99 ` +
      `${m.generator.eventLoopLagP99Ms ?? '?'} ms (max ${m.generator.eventLoopLagMaxMs ?? '?'} ms), ` +
      `${m.generator.startRetries} throttled start(s) retried`,
    ...(r.process === undefined
      ? []
      : [
          `  process     start-up ${(r.process.startupMs / 1_000).toFixed(2)} s ` +
            `(${(r.process.startupCpuMs / 1_000).toFixed(2)} s CPU), CPU ` +
            `${(r.process.cpuMs / 1_000).toFixed(1)} s in all, peak RSS ` +
            `${(r.process.maxRssBytes / 2 ** 20).toFixed(0)} MB` +
            (r.process.heapTrims === undefined || r.process.heapTrims === 0
              ? ''
              : `, ${r.process.heapTrims} heap trim(s)`),
        ]),
    ...(r.iterations.length > 1
      ? [
          '',
          'Iterations',
          ...r.iterations.map(
            (it) =>
              `  #${it.iteration}  start ${it.achievedStartRate.toFixed(2)}/s  completion ` +
              `${it.completionRate.toFixed(2)}/s  p99 ${ms(it.latency.p99)}  not completed ${it.workflowsFailed}`,
          ),
        ]
      : []),
    '',
    `System: generator ${r.system.generator.cpus} CPU(s), ` +
      `${(r.system.generator.memoryBytes / 2 ** 30).toFixed(1)} GiB; server ` +
      `${r.system.server.version ?? 'unknown version'}, ` +
      `${r.system.server.historyShards ?? '?'} history shard(s)`,
    `Thresholds: p99 ≤ ${r.thresholds.maxP99LatencyMs} ms, throughput ≥ ${r.thresholds.minThroughput}/s`,
    ...r.warnings.map((w) => `warning: ${w}`),
    r.passed ? 'PASSED' : 'FAILED',
    ...r.failureReasons.map((f) => `  - ${f}`),
  ];
  return `${lines.join('\n')}\n`;
}

function ms(n: number): string {
  return n >= 1_000 ? `${(n / 1_000).toFixed(2)}s` : `${n.toFixed(1)}ms`;
}

/** A throughput row's label, padded so the values line up (the longest is "state transitions"). */
function label(name: string): string {
  return name.padEnd('state transitions'.length + 1);
}

function share(n: number | null): string {
  return n === null ? '?' : `${(n * 100).toFixed(0)}%`;
}

function pct(a: number, b: number): string {
  return b === 0 ? '-' : `${((a / b) * 100).toFixed(1)}%`;
}

function round(n: number): number {
  return Math.round(n * 1_000) / 1_000;
}
