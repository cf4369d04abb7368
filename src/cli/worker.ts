import { join } from 'node:path';

import { Command } from 'commander';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { createRootLogger } from '../log/logger.js';
import { createSampleWorker, killRunningSteps } from '../samples/worker.js';
import { findFreePorts } from '../os/ports.js';
import { registerTarget } from '../prometheus/scrape-targets.js';
import { stateLayout } from '../stack/state.js';
import { describeConnection } from '../config/temporal.js';
import { connectNative, explainWorkerStartError, redact } from '../temporal/connection.js';
import { installRuntime } from '../temporal/runtime.js';

import { portFlag } from './common.js';
import type { Io } from './output.js';
import {
  loadTemporalCommandConfig,
  withTemporalOptions,
  type TemporalOptions,
} from './temporal-options.js';

interface WorkerOptions extends TemporalOptions {
  taskQueue?: string;
  maxConcurrentActivities?: number;
  maxConcurrentWorkflowTasks?: number;
  shutdownGrace?: number;
  metricsPort?: number;
}

const SAMPLE_TYPES =
  'workLoop, pipeline, subTask, fanOutFanIn, fanOutBatch, retriesWithFallback, fireAndForget, ' +
  'backgroundTask, longRunning';

export function workerCommand(io: Io): Command {
  return withTemporalOptions(new Command('worker'))
    .description(
      'Run the sample workflows and activities: poll a task queue until Ctrl-C. SDK metrics are ' +
        'served on 127.0.0.1 and registered with the local stack’s Prometheus.',
    )
    .option(
      '-q, --task-queue <queue>',
      'task queue (default: $TEMPORAL_TASK_QUEUE or headway-samples)',
    )
    .option('--max-concurrent-activities <n>', 'activity slots (default 10)', intFlag)
    .option('--max-concurrent-workflow-tasks <n>', 'workflow task slots (default 10)', intFlag)
    .option(
      '--shutdown-grace <seconds>',
      'after Ctrl-C/SIGTERM, how long running activities may finish (default 30)',
      Number,
    )
    .option(
      '--metrics-port <port>',
      'SDK metrics port on 127.0.0.1 (default: a free one)',
      portFlag,
    )
    .addHelpText(
      'after',
      '\nFirst Ctrl-C or SIGTERM: stop polling and let running activities finish within the grace ' +
        'period.\nSecond: exit at once (running step commands are killed).\n' +
        `Workflows: ${SAMPLE_TYPES}. Step commands for workLoop: worker.steps in headway.yml.`,
    )
    .action(async (options: WorkerOptions) => {
      await runWorker(io, options);
    });
}

function intFlag(value: string): number {
  const n = Number(value);
  return Number.isInteger(n) ? n : Number.NaN;
}

async function runWorker(io: Io, options: WorkerOptions): Promise<void> {
  const { config, connection } = loadTemporalCommandConfig(options, [
    [['temporal', 'task_queue'], options.taskQueue],
    [['worker', 'max_concurrent_activities'], options.maxConcurrentActivities],
    [['worker', 'max_concurrent_workflow_tasks'], options.maxConcurrentWorkflowTasks],
    [['worker', 'shutdown_grace_s'], options.shutdownGrace],
    [['worker', 'metrics_port'], options.metricsPort],
  ]);
  const taskQueue = config.temporal.task_queue;
  const logger = createRootLogger({
    component: 'worker',
    level: config.worker.log_level,
    pid: true,
  });

  // The runtime (metrics endpoint, log forwarding) must exist before the first connection.
  const metricsPort = config.worker.metrics_port || (await findFreePorts(1))[0]!;
  const metricsAddress = `127.0.0.1:${metricsPort}`;
  installRuntime({ logger, metricsBindAddress: metricsAddress });

  const native = await connectNative(connection);
  let unregister: (() => void) | undefined;
  const signals: { sig: NodeJS.Signals; handler: () => void }[] = [];
  try {
    // Checked before bundling the workflows (seconds), so a wrong namespace fails at once.
    await native.workflowService
      .describeNamespace({ namespace: connection.namespace })
      .catch((err: unknown) => {
        throw explainWorkerStartError(err, connection);
      });
    let sample;
    try {
      sample = await createSampleWorker({
        connection: native,
        namespace: connection.namespace,
        taskQueue,
        config: config.worker,
        env: process.env,
        stepRecordsDir: join(config.state_dir, 'worker-steps'),
      });
    } catch (err) {
      throw explainWorkerStartError(err, connection);
    }
    const { worker, runningSteps } = sample;

    // Without a writable state dir the worker still runs; its metrics are just not scraped.
    let registration = '(Prometheus job headway-worker)';
    try {
      unregister = registerTarget(stateLayout(config.state_dir).prometheusTargets, {
        id: `worker-${process.pid}`,
        job: 'headway-worker',
        address: metricsAddress,
        labels: { namespace: connection.namespace, task_queue: taskQueue },
      });
    } catch (err) {
      registration = `(not registered with Prometheus: ${errorMessage(err)})`;
      logger.warn({ err: errorMessage(err) }, 'cannot register the metrics endpoint');
    }

    // Started before the signal handlers exist, so a signal always finds a running worker.
    const running = worker.run();
    const forced = new Promise<never>((_, reject) => {
      let count = 0;
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        const handler = (): void => {
          count += 1;
          if (count === 1) {
            io.err(
              `\n${sig}: stopping; running activities get ${config.worker.shutdown_grace_s} s ` +
                '(signal again to exit at once)\n',
            );
            logger.info({ signal: sig }, 'worker shutting down');
            worker.shutdown();
          } else {
            killRunningSteps(runningSteps);
            reject(
              new HeadwayError(ErrorCode.WorkerForcedExit, 'worker stopped without waiting', {
                hint: 'running activities were abandoned; Temporal retries them after their timeout',
              }),
            );
          }
        };
        process.on(sig, handler);
        signals.push({ sig, handler });
      }
    });

    io.out(
      `Worker polling task queue ${taskQueue} on ${describeConnection(connection)}\n` +
        `  workflows: ${SAMPLE_TYPES}\n` +
        `  steps:     ${Object.keys(config.worker.steps).sort().join(', ')}\n` +
        `  metrics:   http://${metricsAddress}/metrics ${registration}\n` +
        'Ctrl-C to stop.\n',
    );
    await Promise.race([running, forced]);
    io.out('Worker stopped.\n');
  } catch (err) {
    if (err instanceof HeadwayError) throw err;
    throw new HeadwayError(ErrorCode.TemporalRequestFailed, 'the worker stopped on an error', {
      cause: err,
      details: [redact(errorMessage(err), connection)],
    });
  } finally {
    for (const { sig, handler } of signals) process.off(sig, handler);
    unregister?.();
    await native.close().catch(() => undefined);
  }
}
