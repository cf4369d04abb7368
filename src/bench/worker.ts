import { fileURLToPath } from 'node:url';

import {
  DefaultLogger,
  Worker,
  bundleWorkflowCode,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

import { createBenchActivities } from './activities.js';

/** The workflows module (the .ts source under tsx, .js once compiled). */
export const BENCH_WORKFLOWS_PATH = fileURLToPath(
  new URL(`./workflows/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the bench workflows once per process; N workers share the bundle. */
export function benchWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: BENCH_WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export interface BenchWorkersOptions {
  /**
   * Opens one connection per worker: the SDK refuses two workers for the same namespace and task
   * queue on one connection, and separate connections are what separate processes would have.
   */
  readonly connect: () => Promise<NativeConnection>;
  readonly namespace: string;
  readonly taskQueue: string;
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
  const workflowBundle = await benchWorkflowBundle();
  const workers: Worker[] = [];
  const connections: NativeConnection[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const connection = await options.connect();
      connections.push(connection);
      workers.push(
        await Worker.create({
          connection,
          namespace: options.namespace,
          taskQueue: options.taskQueue,
          workflowBundle,
          activities: createBenchActivities(),
          maxConcurrentActivityTaskExecutions: SLOTS,
          maxConcurrentWorkflowTaskExecutions: SLOTS,
          maxConcurrentLocalActivityExecutions: SLOTS,
          identity: `${options.identityPrefix ?? `bench-${process.pid}`}-${i + 1}`,
          // A bench run ends by shutting the workers down; nothing long-running to wait for.
          shutdownGraceTime: '5s',
        }),
      );
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    workers,
    run: async () => {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await closeAll();
      }
    },
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
