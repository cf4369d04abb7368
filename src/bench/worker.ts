import { fileURLToPath } from 'node:url';

import type { NativeConnection, Worker } from '@temporalio/worker';

import { loopWorkflowActivations } from '../temporal/activation-loop.js';
import { cachedBundle, readStoredBundle } from '../temporal/bundle-cache.js';
import { skipCodecWalksWithoutCodecs } from '../temporal/codec-walks.js';
import {
  WorkerPool,
  bundleOnce,
  workflowsModuleBeside,
  type WorkerPoolOptions,
} from '../temporal/worker-pool.js';
import { skipWorkflowStackTraces } from '../temporal/workflow-stack-traces.js';

import { createBenchActivities } from './activities.js';

/** The workflows module (the .ts source under tsx, .js once compiled). */
export const BENCH_WORKFLOWS_PATH = workflowsModuleBeside(import.meta.url);

/**
 * Bundles the bench workflows once per process; N workers share the bundle. With `cacheDir`, the
 * bundle is kept on disk and reused by later processes while the sources are unchanged.
 */
export function benchWorkflowBundle(cacheDir?: string): ReturnType<typeof bundleOnce> {
  // Under tsx (the sources) there is none: the disk cache serves.
  const prebuilt = import.meta.url.endsWith('.js')
    ? readStoredBundle(PREBUILT_BENCH_BUNDLE)
    : undefined;
  if (prebuilt !== undefined) return Promise.resolve(prebuilt);
  const options = { preloadModules: BENCH_PRELOADED_MODULES };
  return cacheDir === undefined
    ? bundleOnce(BENCH_WORKFLOWS_PATH, options)
    : cachedBundle(BENCH_WORKFLOWS_PATH, cacheDir, options);
}

/**
 * The bundle `npm ci` builds beside this module in dist/ (scripts/build-dist.mjs), so even the
 * first bench run after an install does not run webpack (2 s of CPU and 50 MB at its peak).
 * bin/headway.js runs dist/ only while it is newer than every source, so the file is current.
 */
export const PREBUILT_BENCH_BUNDLE = fileURLToPath(
  new URL('./workflows.bundle.json', import.meta.url),
);

/**
 * Modules the sandbox evaluates once instead of once per workflow: in a reused V8 context every
 * workflow otherwise re-runs `@temporalio/workflow`'s index and the modules only it imports
 * (metrics, random streams, nexus…), 0.2 ms each time, and the bench's own workflows module (a
 * fortieth of the main thread at 50/s with 4 workers). None keeps per-workflow state at module
 * scope: what they need of the workflow they ask the activator for at each call (the bench
 * module's activity proxies too).
 */
export const BENCH_PRELOADED_MODULES = ['@temporalio/workflow', BENCH_WORKFLOWS_PATH] as const;

export interface BenchWorkersOptions extends Pick<
  WorkerPoolOptions,
  'connect' | 'namespace' | 'taskQueue'
> {
  /** Worker instances to create: `--workers`, honoured. */
  readonly count: number;
  /** Where the workflow bundle is kept between runs; bundled afresh when undefined. */
  readonly bundleCacheDir?: string;
  readonly identityPrefix?: string;
}

/** What each worker may run at once; the reference's embedded worker uses 200 for both. */
const SLOTS = 200;
/** Open workflows each worker keeps in memory between their tasks. */
const CACHED_WORKFLOWS = 1_000;
/** Workflow-task and activity-task pollers of each worker (the reference's embedded worker: 16). */
const WORKFLOW_POLLERS = 32;
const ACTIVITY_POLLERS = 16;

export interface BenchWorkers {
  readonly workers: readonly Worker[];
  /**
   * The first worker's connection: a client on it can ask for eager starts, which the server
   * then hands to this worker in the start's answer (the SDK's eager workflow start). Closed
   * when the workers stop.
   */
  readonly connection: NativeConnection;
  /** Runs every worker until `shutdown`; rejects if any worker fails. */
  readonly run: () => Promise<void>;
  readonly shutdown: () => void;
}

export async function createBenchWorkers(options: BenchWorkersOptions): Promise<BenchWorkers> {
  const pool = new WorkerPool({
    connect: options.connect,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    count: options.count,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    workflowBundle: () => benchWorkflowBundle(options.bundleCacheDir),
    identityPrefix: options.identityPrefix ?? `bench-${process.pid}`,
    // The bench workflows are trivial: the sandbox's watchdog would cost more than Temporal does.
    untimedSandbox: true,
    // The workflows run on this thread (debugMode): one sandbox serves all N workers.
    sharedSandbox: true,
    // The bench workflows set no globals: switching between them swaps only the SDK's activator.
    globalsUntouchedSandbox: true,
    worker: () => ({
      activities: createBenchActivities(),
      maxConcurrentActivityTaskExecutions: SLOTS,
      maxConcurrentWorkflowTaskExecutions: SLOTS,
      maxConcurrentLocalActivityExecutions: SLOTS,
      // The SDK derives its default from the heap limit: 10 under the bench's heap cap, and a
      // workflow evicted between its tasks is replayed from its history at the next one.
      maxCachedWorkflows: CACHED_WORKFLOWS,
      // The SDK's defaults (10 pollers, a fifth of them on the normal queue) leave about two
      // pollers for first workflow tasks, and every bench workflow starts with one: the task
      // queue, not the server, then sets the pace (schedule-to-start of seconds at 50/s).
      maxConcurrentWorkflowTaskPolls: WORKFLOW_POLLERS,
      nonStickyToStickyPollRatio: 1,
      maxConcurrentActivityTaskPolls: ACTIVITY_POLLERS,
      // Workflows run on this thread instead of a worker thread per Worker (the SDK's "debug
      // mode"): no postMessage per activation and one V8 heap instead of N (measured at 50/s with
      // 4 workers: 9.7 → 6.8 CPU s per 1,000 starts, 456 → 224 MB once the workers are up;
      // docs/bench.md). The price, a promise hook on this thread's promises, is in those figures.
      debugMode: true,
      // A bench run ends by shutting the workers down; nothing long-running to wait for.
      shutdownGraceTime: '5s',
    }),
  });
  // The bench workflows never need a stack trace; the hooks cost a fifth of the main thread.
  skipWorkflowStackTraces();
  // The bench's workers have no payload codecs.
  skipCodecWalksWithoutCodecs();
  // The SDK's rxjs pipeline per workflow run costs a tenth of the main thread at 50/s.
  loopWorkflowActivations();
  await pool.create();
  return {
    workers: pool.workers,
    connection: pool.connections[0]!,
    run: () => pool.run(),
    shutdown: () => pool.shutdown(),
  };
}
