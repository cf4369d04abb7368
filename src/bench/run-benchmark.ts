/**
 * One `headway bench run`: namespace, workers, metrics, the iterations of the open-loop generator,
 * results, and cleanup of whatever is still running — in the namespace the run used.
 */
import { cpus, platform, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';

import type { TemporalConnectionConfig } from '../config/temporal.js';
import { errorMessage } from '../errors.js';
import { runGenerator, type Outcome } from '../load/generator.js';
import { RateSchedule, systemClock, type Clock } from '../load/schedule.js';
import type { PrometheusClient } from '../signals/prometheus-client.js';
import { registerTarget } from '../prometheus/scrape-targets.js';
import {
  connectClient,
  connectNative,
  explainWorkerStartError,
  type ConnectedClient,
} from '../temporal/connection.js';
import { ensureNamespace } from '../temporal/namespaces.js';
import { countOwnThreads } from '../os/threads.js';

import { CompletionTracker } from './completion-tracker.js';
import { BenchMetrics } from './metrics.js';
import {
  RESULTS_SCHEMA,
  aggregate,
  evaluateThresholds,
  iterationRecord,
  type BenchResults,
  type IterationRecord,
  type ProcessCost,
  type SystemInfo,
  type Thresholds,
} from './results.js';
import { temporalDriver } from './temporal-driver.js';
import { workflowCall, type BenchWorkflowType } from './workflow-types.js';
import { BENCH_CONNECTION } from './bench-connection.js';
import type { BenchWorkers } from './worker.js';
import { startHeapTrim } from './heap-trim.js';
import { cleanupNamespace } from './cleanup.js';
import { TOKIO_WORKER_THREAD_NAME } from '../os/node-settings.js';

export interface BenchRunOptions {
  readonly workflowType: BenchWorkflowType;
  readonly targetRate: number;
  readonly durationMs: number;
  readonly rampUpMs: number;
  readonly workers: number;
  /** Where the workers' workflow bundle is kept between runs; bundled afresh when undefined. */
  readonly bundleCacheDir?: string;
  readonly iterations: number;
  readonly activityCount: number;
  readonly timerDurationMs: number;
  readonly childCount: number;
  /** The connection; its namespace is the one the run uses (created when missing). */
  readonly connection: TemporalConnectionConfig;
  readonly taskQueue: string;
  readonly thresholds: Thresholds;
  readonly generatorOnly: boolean;
  /**
   * Starts ask for eager execution on the first in-process worker's connection (the server hands
   * the first workflow task back in the start's answer). Needs in-process workers.
   */
  readonly eagerStart?: boolean;
  /** 0: min(max(60 s, duration), 10 min), as the reference. */
  readonly completionTimeoutMs?: number;
  readonly maxInFlightStarts?: number;
  readonly lagToleranceMs?: number;
  /** Where to register scrape targets (the local stack's Prometheus); none when undefined. */
  readonly targetsDir?: string;
  /** The SDK's Prometheus endpoint installed by the caller, registered alongside ours. */
  readonly sdkMetricsAddress?: string;
  /** For state transitions per second; none when undefined or unreachable. */
  readonly prometheus?: PrometheusClient;
  readonly progress: (message: string) => void;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/** Fresh namespace names: `bench-` + time + randomness, unique across concurrent runs. */
export function freshNamespace(now = Date.now()): string {
  return `bench-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function runBenchmark(options: BenchRunOptions): Promise<BenchResults> {
  const { connection: config, progress, logger } = options;
  const namespace = config.namespace;
  const connected = await connectClient(config);
  const trim = startHeapTrim();
  const cleanups: (() => Promise<void> | void)[] = [
    async () => connected.close(),
    () => trim.stop(),
  ];
  let startup: { readonly ms: number; readonly cpuMs: number } | undefined;
  let workers: BenchWorkers | undefined;
  let workersDone: Promise<void> | undefined;
  try {
    await ensureNamespace(connected.connection, namespace, progress, {
      description: 'headway bench run',
      readinessTaskQueue: 'headway-bench-readiness',
    });
    const system = await systemInfo(connected);

    if (!options.generatorOnly) {
      progress(`starting ${options.workers} worker(s) on task queue ${options.taskQueue}`);
      // Loaded here: with the SDK's worker (its sandbox, rxjs, the replayer) loaded at start, a
      // generator alone spent 0.5 s more CPU before its first start (docs/bench.md, "Eighth round").
      const { createBenchWorkers } = await import('./worker.js');
      try {
        workers = await createBenchWorkers({
          connect: () => connectNative(config, BENCH_CONNECTION),
          namespace,
          taskQueue: options.taskQueue,
          count: options.workers,
          ...(options.bundleCacheDir === undefined
            ? {}
            : { bundleCacheDir: options.bundleCacheDir }),
        });
      } catch (err) {
        throw explainWorkerStartError(err, config);
      }
      workersDone = workers.run();
      // Observed here, re-thrown after the iterations: a failed worker must not go unnoticed.
      workersDone.catch((err: unknown) =>
        logger.error({ err: errorMessage(err) }, 'bench worker failed'),
      );
    }

    const metrics = new BenchMetrics({ workflowType: options.workflowType, namespace });
    metrics.setTargetRate(options.targetRate);
    const metricsAddress = await metrics.listen();
    cleanups.push(() => metrics.close());
    if (options.targetsDir !== undefined) {
      const labels = { namespace, workflow_type: options.workflowType };
      for (const [id, address] of [
        [`bench-${process.pid}`, metricsAddress],
        ...(options.sdkMetricsAddress === undefined
          ? []
          : [[`bench-sdk-${process.pid}`, options.sdkMetricsAddress] as const]),
      ] as const) {
        try {
          cleanups.push(
            registerTarget(options.targetsDir, { id, job: 'headway-bench', address, labels }),
          );
        } catch (err) {
          logger.warn({ err: errorMessage(err) }, 'cannot register a bench metrics target');
        }
      }
    }
    progress(`bench metrics on http://${metricsAddress}/metrics`);

    const iterations: IterationRecord[] = [];
    const call = workflowCall(options.workflowType, options);
    const completionTimeoutMs =
      options.completionTimeoutMs === undefined || options.completionTimeoutMs === 0
        ? Math.min(Math.max(60_000, options.durationMs), 600_000)
        : options.completionTimeoutMs;
    const runId = Date.now().toString(36);
    // The hot path (a start per workflow, the completion lists) goes through the SDK's native
    // (Rust) connection: the pure-JS gRPC client costs several times the CPU per call. An eager
    // start must come through a worker's own connection; the pool closes that one.
    const eagerStart = options.eagerStart === true && workers !== undefined;
    let native: NativeConnection;
    if (eagerStart) native = workers!.connection;
    else {
      const own = await connectNative(config, BENCH_CONNECTION);
      cleanups.push(() => own.close());
      native = own;
    }
    const client = new Client({ connection: native, namespace });
    for (let i = 1; i <= options.iterations; i++) {
      if (options.signal?.aborted === true) break;
      const schedule = new RateSchedule({
        targetRate: options.targetRate,
        durationMs: options.durationMs,
        rampUpMs: options.rampUpMs,
      });
      progress(
        `iteration ${i}/${options.iterations}: ${schedule.totalStarts} ${options.workflowType} ` +
          `workflows at ${options.targetRate}/s over ${options.durationMs / 1_000} s`,
      );
      const idPrefix = `${options.workflowType}-${runId}-${i}-`;
      const tracker = new CompletionTracker({
        service: client.workflowService,
        namespace,
        idPrefix,
        onError: (err) => logger.debug({ err: errorMessage(err) }, 'completion list failed'),
        onOverlapWidened: (overlapMs, lateMs) =>
          logger.debug(
            { overlapMs, lateMs },
            'a closed workflow surfaced late: completion list overlap widened',
          ),
      });
      let startRetries = 0;
      const driver = temporalDriver(client, tracker, {
        name: call.name,
        args: call.args,
        taskQueue: options.taskQueue,
        idPrefix,
        eagerStart,
        onStartRetry: () => (startRetries += 1),
      });
      startup ??= {
        ms: process.uptime() * 1_000,
        cpuMs: cpuMsOf(process.cpuUsage()),
      };
      const startedAt = new Date();
      const wallBefore = performance.now();
      const cpuBefore = process.cpuUsage();
      const threadBefore = process.threadCpuUsage();
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const errorsLogged = new Map<Outcome, number>();
      const gen = await runGenerator({
        schedule,
        clock: options.clock ?? systemClock,
        driver,
        completionTimeoutMs,
        ...(options.maxInFlightStarts === undefined
          ? {}
          : { maxInFlightStarts: options.maxInFlightStarts }),
        ...(options.lagToleranceMs === undefined ? {} : { lagToleranceMs: options.lagToleranceMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        events: {
          onStarted: (ms) => metrics.recordStarted(ms),
          onFinished: (outcome, ms) => metrics.recordFinished(outcome, ms),
          onError: (outcome, err) => {
            // The first few of each kind are logged; the counts are in the results.
            const n = (errorsLogged.get(outcome) ?? 0) + 1;
            errorsLogged.set(outcome, n);
            if (n <= 3)
              logger.warn({ outcome, err: errorMessage(err) }, 'workflow did not complete');
          },
        },
      });
      const cpu = process.cpuUsage(cpuBefore);
      const threadCpu = process.threadCpuUsage(threadBefore);
      lag.disable();
      tracker.stop();
      const windowEnd = new Date(startedAt.getTime() + options.durationMs);
      const stateTransitions = await stateTransitionsPerSecond(
        options.prometheus,
        namespace,
        gen.measured.seconds,
        windowEnd,
        logger,
      );
      const record = iterationRecord(i, startedAt, gen, options.targetRate, {
        cpuMs: cpuMsOf(cpu),
        stateTransitionsPerSecond: stateTransitions,
        load: {
          wallMs: performance.now() - wallBefore,
          mainThreadCpuMs: cpuMsOf(threadCpu),
          eventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
          eventLoopLagMaxMs: Math.round(lag.max / 1e4) / 100,
          startRetries,
        },
      });
      iterations.push(record);
      progress(
        `iteration ${i}: started ${record.workflowsStarted}/${record.workflowsIntended}, ` +
          `completed ${record.workflowsCompleted}, start rate ${record.achievedStartRate}/s, ` +
          `p99 ${record.latency.p99} ms, drain ${(record.drainTimeMs / 1_000).toFixed(1)} s`,
      );
    }

    await cleanupNamespace(connected.client, options.taskQueue, progress, logger);

    const results = aggregate(iterations, options.targetRate, options.durationMs);
    const verdict = evaluateThresholds(results, options.thresholds);
    const processCost: ProcessCost = {
      startupMs: Math.round(startup?.ms ?? 0),
      startupCpuMs: Math.round(startup?.cpuMs ?? 0),
      cpuMs: Math.round(cpuMsOf(process.cpuUsage())),
      maxRssBytes: process.resourceUsage().maxRSS * 1_024,
      heapLimitBytes: getHeapStatistics().heap_size_limit,
      nodeFlags: process.execArgv,
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      tokioWorkerThreads: countOwnThreads(TOKIO_WORKER_THREAD_NAME),
      heapTrims: trim.collections(),
    };
    return {
      schema: RESULTS_SCHEMA,
      timestamp: iterations[0]?.startedAt ?? new Date().toISOString(),
      config: {
        workflowType: options.workflowType,
        targetRate: options.targetRate,
        duration: `${options.durationMs / 1_000}s`,
        durationMs: options.durationMs,
        rampUpDuration: `${options.rampUpMs / 1_000}s`,
        rampUpMs: options.rampUpMs,
        workerCount: options.generatorOnly ? 0 : options.workers,
        iterations: options.iterations,
        namespace,
        taskQueue: options.taskQueue,
        address: config.address,
        mode: options.generatorOnly ? 'generator-only' : 'full',
        ...(options.eagerStart === true && !options.generatorOnly ? { eagerStart: true } : {}),
        ...(options.workflowType === 'multi-activity' ||
        options.workflowType === 'state-transitions'
          ? { activityCount: options.activityCount }
          : {}),
        ...(options.workflowType === 'timer' ? { timerDurationMs: options.timerDurationMs } : {}),
        ...(options.workflowType === 'child-workflow' ? { childCount: options.childCount } : {}),
      },
      results,
      iterations,
      system,
      thresholds: options.thresholds,
      passed: verdict.passed,
      failureReasons: verdict.failureReasons,
      warnings: verdict.warnings,
      process: processCost,
    };
  } finally {
    if (workers !== undefined) {
      workers.shutdown();
      await workersDone?.catch(() => undefined);
    }
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'bench cleanup step failed');
      }
    }
  }
}

function cpuMsOf(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1_000;
}

async function systemInfo(connected: ConnectedClient): Promise<SystemInfo> {
  const cpuList = cpus();
  let server: SystemInfo['server'] = { version: null, historyShards: null, clusterName: null };
  try {
    const info = await connected.connection.workflowService.getClusterInfo({});
    server = {
      version: info.serverVersion ?? null,
      historyShards: info.historyShardCount ?? null,
      clusterName: info.clusterName ?? null,
    };
  } catch {
    // Some hosted clusters do not answer GetClusterInfo; the fields stay null rather than invented.
  }
  return {
    generator: {
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      platform: platform(),
      node: process.version,
    },
    server,
  };
}

async function stateTransitionsPerSecond(
  prometheus: PrometheusClient | undefined,
  namespace: string,
  windowSeconds: number,
  end: Date,
  logger: Logger,
): Promise<number | null> {
  if (prometheus === undefined || windowSeconds < 1) return null;
  const w = `${Math.round(windowSeconds)}s`;
  try {
    // The reference dashboard's expression, restricted to this run's namespace and window. The
    // server's Prometheus reporter turns `-` in label values into `_`, so match either spelling.
    const label = `${namespace}|${namespace.replace(/[^A-Za-z0-9_]/g, '_')}`.replace(
      /\./g,
      '\\\\.',
    );
    const samples = await prometheus.instant(
      `sum(rate(state_transition_count_count{namespace=~"${label}"}[${w}]))`,
      { time: end, timeoutMs: 5_000 },
    );
    const value = samples[0]?.value;
    return value === undefined || !Number.isFinite(value) ? null : value;
  } catch (err) {
    logger.debug({ err: errorMessage(err) }, 'no state transitions from Prometheus');
    return null;
  }
}
