/**
 * `headway bench find-max`: the highest rate a cluster sustains. Each step is a short generator-only
 * `bench run` against workers in a separate `--worker-only` process (so the generator's own thread
 * is measured alone, and the workers cannot starve it). A step is sustained when the achieved start
 * rate is ≥ 99% of the target, completions keep pace (≥ 95% of the target), p99 is within the
 * threshold and every workflow completed. The rate doubles until a step is not sustained, then the
 * gap is bisected. Each step records the server's CPU share (when its process is on this host:
 * the local stack's, or `--server-pid`), the workers' and the generator's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Logger } from 'pino';

import type { TemporalConnectionConfig } from '../config/temporal.js';
import { connectClient } from '../temporal/connection.js';
import { ensureNamespace } from '../temporal/namespaces.js';

import { nodeSettingsFor } from '../os/node-settings.js';
import { runBenchmark } from './run-benchmark.js';
import type { BenchWorkflowType } from './workflow-types.js';

export interface FindMaxOptions {
  readonly workflowType: BenchWorkflowType;
  readonly connection: TemporalConnectionConfig;
  readonly taskQueue: string;
  readonly startRate: number;
  readonly maxSteps: number;
  readonly stepDurationMs: number;
  readonly rampUpMs: number;
  readonly maxP99LatencyMs: number;
  readonly workers: number;
  readonly activityCount: number;
  readonly timerDurationMs: number;
  readonly childCount: number;
  /** Passed to the worker process besides address, namespace and queue (--tls, --config, …). */
  readonly workerArgs?: readonly string[];
  /** The server's process on this host, for its CPU share; not measured when undefined. */
  readonly serverPid?: number;
  readonly progress: (message: string) => void;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface FindMaxStep {
  readonly rate: number;
  /** The step's own task queue (`<task queue>-<step>`), polled by its own worker process. */
  readonly taskQueue: string;
  readonly sustained: boolean;
  /** Why not, when not. */
  readonly reasons: readonly string[];
  readonly achievedStartRate: number;
  readonly completionRate: number;
  readonly p99Ms: number;
  readonly notCompleted: number;
  readonly outcomeUnknown: number;
  /** CPU time over wall time; 1 = one core. Null when not measurable. */
  readonly serverCpuShare: number | null;
  readonly workerCpuShare: number | null;
  readonly generatorThreadCpuShare: number | null;
  readonly generatorProcessCpuShare: number | null;
  readonly generatorCpuMsPer1000Starts: number | null;
  readonly generatorBottleneck: boolean;
}

export interface FindMaxResult {
  readonly schema: 'headway-bench-find-max/1';
  readonly workflowType: BenchWorkflowType;
  readonly address: string;
  readonly namespace: string;
  readonly maxP99LatencyMs: number;
  /** The highest sustained rate; null when even the first step was not sustained. */
  readonly maxSustainedRate: number | null;
  readonly steps: readonly FindMaxStep[];
}

const HEADWAY_BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

export async function findMaxRate(options: FindMaxOptions): Promise<FindMaxResult> {
  const { connection, progress } = options;
  const connected = await connectClient(connection);
  try {
    await ensureNamespace(connected.connection, connection.namespace, progress, {
      description: 'headway bench find-max',
      readinessTaskQueue: 'headway-bench-readiness',
    });
  } finally {
    await connected.close();
  }
  const steps: FindMaxStep[] = [];
  let best: number | null = null;
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  let rate = options.startRate;
  for (let n = 0; n < options.maxSteps && options.signal?.aborted !== true; n++) {
    progress(`step ${n + 1}: ${rate}/s for ${options.stepDurationMs / 1_000} s`);
    // Each step on a task queue of its own, with its own worker process: the workflow tasks a
    // failed step left queued would otherwise be dispatched (and dropped, their workflows
    // terminated) during the next step, which then measured that backlog, not its rate.
    const stepOptions = { ...options, taskQueue: `${options.taskQueue}-${n + 1}` };
    const workers = await startWorkerProcess(stepOptions);
    let step: FindMaxStep;
    try {
      step = await runStep(stepOptions, rate, workers.pid);
    } finally {
      await workers.stop();
    }
    steps.push(step);
    progress(
      `step ${n + 1}: ${rate}/s ${step.sustained ? 'sustained' : `NOT sustained (${step.reasons.join('; ')})`}` +
        ` — start ${step.achievedStartRate}/s, completion ${step.completionRate}/s, p99 ${step.p99Ms} ms, ` +
        `CPU server ${pct(step.serverCpuShare)}, workers ${pct(step.workerCpuShare)}, generator ` +
        `${pct(step.generatorProcessCpuShare)}`,
    );
    if (step.sustained) {
      best = rate;
      low = rate;
    } else {
      high = rate;
    }
    const next = Number.isFinite(high) ? Math.round((low + high) / 2) : rate * 2;
    if (next === rate || next === low || high - low <= Math.max(2, low * 0.05)) break;
    rate = next;
  }
  return {
    schema: 'headway-bench-find-max/1',
    workflowType: options.workflowType,
    address: connection.address,
    namespace: connection.namespace,
    maxP99LatencyMs: options.maxP99LatencyMs,
    maxSustainedRate: best,
    steps,
  };
}

async function runStep(
  options: FindMaxOptions,
  rate: number,
  workerPid: number,
): Promise<FindMaxStep> {
  const serverBefore = pidCpuSeconds(options.serverPid);
  const workersBefore = processCpuSeconds(workerPid);
  const t0 = performance.now();
  const r = await runBenchmark({
    workflowType: options.workflowType,
    targetRate: rate,
    durationMs: options.stepDurationMs,
    rampUpMs: options.rampUpMs,
    workers: 0,
    iterations: 1,
    activityCount: options.activityCount,
    timerDurationMs: options.timerDurationMs,
    childCount: options.childCount,
    connection: options.connection,
    taskQueue: options.taskQueue,
    thresholds: { maxP99LatencyMs: options.maxP99LatencyMs, minThroughput: 0.95 * rate },
    generatorOnly: true,
    completionTimeoutMs: Math.max(30_000, options.maxP99LatencyMs * 3),
    progress: () => undefined,
    logger: options.logger,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const wallS = (performance.now() - t0) / 1_000;
  const serverAfter = pidCpuSeconds(options.serverPid);
  const workersAfter = processCpuSeconds(workerPid);
  const m = r.results;
  const reasons: string[] = [];
  if (m.achievedStartRate < 0.99 * rate) {
    reasons.push(`start rate ${m.achievedStartRate}/s < 99% of ${rate}/s`);
  }
  reasons.push(...r.failureReasons);
  const share = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : Math.round(((b - a) / wallS) * 1_000) / 1_000;
  return {
    rate,
    taskQueue: options.taskQueue,
    sustained: reasons.length === 0,
    reasons,
    achievedStartRate: m.achievedStartRate,
    completionRate: m.completionRate,
    p99Ms: m.latency.p99,
    notCompleted: m.workflowsFailed,
    outcomeUnknown: m.workflowsOutcomeUnknown,
    serverCpuShare: share(serverBefore, serverAfter),
    workerCpuShare: share(workersBefore, workersAfter),
    generatorThreadCpuShare: m.generator.mainThreadCpuShare,
    generatorProcessCpuShare: m.generator.processCpuShare,
    generatorCpuMsPer1000Starts: m.generator.cpuMsPer1000Starts,
    generatorBottleneck: m.generator.bottleneck,
  };
}

interface WorkerProcess {
  readonly pid: number;
  readonly stop: () => Promise<void>;
}

/** `headway bench run --worker-only` on the step's namespace and queue, ready once it polls. */
async function startWorkerProcess(options: FindMaxOptions): Promise<WorkerProcess> {
  const c = options.connection;
  const command = ['bench', 'run', '--worker-only'];
  const settings = nodeSettingsFor(command, process.env);
  const child = spawn(
    process.execPath,
    [
      // Given here, not by bin/headway.js running itself again: the CPU read from /proc must be
      // the worker process's own.
      ...settings.flags,
      HEADWAY_BIN,
      ...command,
      '--address',
      c.address,
      '--namespace',
      c.namespace,
      '-q',
      options.taskQueue,
      '--workers',
      String(options.workers),
      ...(options.workerArgs ?? []),
    ],
    // The API key, TLS and metadata reach the child through the same environment and config.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...settings.env } },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C to stop')) resolve();
    });
    child.once('close', (code) =>
      reject(new Error(`the bench worker process exited (${code}): ${err.trim()}`)),
    );
  });
  const closed = new Promise((r) => child.once('close', r));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGINT');
      await closed;
    },
  };
}

/** utime + stime of a process (Linux `/proc`); null elsewhere. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function pidCpuSeconds(pid: number | undefined): number | null {
  return pid === undefined ? null : processCpuSeconds(pid);
}

function pct(share: number | null): string {
  return share === null ? '?' : `${(share * 100).toFixed(0)}%`;
}

export function formatFindMax(r: FindMaxResult): string {
  const lines = [
    `Highest sustained rate for ${r.workflowType} on ${r.address} (p99 ≤ ${r.maxP99LatencyMs} ms): ` +
      (r.maxSustainedRate === null
        ? 'none (start lower with --start-rate)'
        : `${r.maxSustainedRate}/s`),
    '',
    '  rate  sustained  start/s  completed/s  p99 ms  server CPU  workers CPU  generator CPU (thread)',
    ...r.steps.map(
      (s) =>
        `  ${String(s.rate).padStart(4)}  ${(s.sustained ? 'yes' : 'no').padEnd(9)}  ` +
        `${s.achievedStartRate.toFixed(1).padStart(7)}  ${s.completionRate.toFixed(1).padStart(11)}  ` +
        `${s.p99Ms.toFixed(0).padStart(6)}  ${pct(s.serverCpuShare).padStart(10)}  ` +
        `${pct(s.workerCpuShare).padStart(11)}  ${pct(s.generatorProcessCpuShare)} ` +
        `(${pct(s.generatorThreadCpuShare)})${s.generatorBottleneck ? ' generator-bound' : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
