import type { Logger } from 'pino';

import type { TemporalConnectionConfig } from '../config/temporal.js';
import { errorMessage } from '../errors.js';
import { registerTarget } from '../prometheus/scrape-targets.js';
import { connectNative, explainWorkerStartError } from '../temporal/connection.js';

import { BENCH_CONNECTION } from './bench-connection.js';
import { createBenchWorkers } from './worker.js';

export interface WorkersOnlyOptions {
  readonly connection: TemporalConnectionConfig;
  readonly taskQueue: string;
  readonly count: number;
  readonly bundleCacheDir?: string;
  /** Prometheus file-based target list the SDK metrics endpoint is registered in. */
  readonly targetsDir: string;
  readonly sdkMetricsAddress: string;
  readonly logger: Logger;
  /** Called once the workers poll, before they run. */
  readonly onRunning: () => void;
}

/**
 * `bench run --worker-only`: bench workers on the task queue until SIGINT/SIGTERM, their SDK
 * metrics registered for the local Prometheus meanwhile, so another process can generate the load.
 */
export async function runBenchWorkersOnly(options: WorkersOnlyOptions): Promise<void> {
  const { connection } = options;
  let unregister: (() => void) | undefined;
  try {
    let workers;
    try {
      workers = await createBenchWorkers({
        connect: () => connectNative(connection, BENCH_CONNECTION),
        namespace: connection.namespace,
        taskQueue: options.taskQueue,
        count: options.count,
        ...(options.bundleCacheDir === undefined ? {} : { bundleCacheDir: options.bundleCacheDir }),
      });
    } catch (err) {
      throw explainWorkerStartError(err, connection);
    }
    try {
      unregister = registerTarget(options.targetsDir, {
        id: `bench-worker-${process.pid}`,
        job: 'headway-bench',
        address: options.sdkMetricsAddress,
        labels: { namespace: connection.namespace, task_queue: options.taskQueue },
      });
    } catch (err) {
      options.logger.warn({ err: errorMessage(err) }, 'cannot register the SDK metrics target');
    }
    const stop = (): void => workers.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    options.onRunning();
    try {
      await workers.run();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } finally {
    unregister?.();
  }
}
