import type { Worker } from '@temporalio/worker';

import {
  WorkerPool,
  bundleOnce,
  workflowsModuleBeside,
  type WorkerPoolOptions,
} from '../temporal/worker-pool.js';

import { createBenchActivities } from './activities.js';

/** The workflows module (the .ts source under tsx, .js once compiled). */
export const BENCH_WORKFLOWS_PATH = workflowsModuleBeside(import.meta.url);

/** Bundles the bench workflows once per process; N workers share the bundle. */
export function benchWorkflowBundle(): ReturnType<typeof bundleOnce> {
  return bundleOnce(BENCH_WORKFLOWS_PATH);
}

export interface BenchWorkersOptions extends Pick<
  WorkerPoolOptions,
  'connect' | 'namespace' | 'taskQueue'
> {
  /** Worker instances to create: `--workers`, honoured. */
  readonly count: number;
  readonly identityPrefix?: string;
}

/** What each worker may run at once; the reference's embedded worker uses 200 for both. */
const SLOTS = 200;

export interface BenchWorkers {
  readonly workers: readonly Worker[];
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
    identityPrefix: options.identityPrefix ?? `bench-${process.pid}`,
    worker: () => ({
      activities: createBenchActivities(),
      maxConcurrentActivityTaskExecutions: SLOTS,
      maxConcurrentWorkflowTaskExecutions: SLOTS,
      maxConcurrentLocalActivityExecutions: SLOTS,
      // A bench run ends by shutting the workers down; nothing long-running to wait for.
      shutdownGraceTime: '5s',
    }),
  });
  await pool.create();
  return { workers: pool.workers, run: () => pool.run(), shutdown: () => pool.shutdown() };
}
