import { Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';

import type { WorkerSection } from '../config/temporal.js';
import { bundleOnce, workflowsModuleBeside } from '../temporal/worker-pool.js';

import { createActivities } from './activities/index.js';
import { StepRecords } from './activities/step-records.js';

/** The workflows module the worker bundles (the .ts source under tsx, .js once compiled). */
export const SAMPLE_WORKFLOWS_PATH = workflowsModuleBeside(import.meta.url);

export interface SampleWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly config: WorkerSection;
  /** The worker's environment; step commands inherit only PATH, HOME and the locale. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly identity?: string;
  /**
   * Where running step commands are recorded (e.g. STATE_DIR/worker-steps). At start, steps left
   * running by a worker that died are ended. Without it, nothing is recorded.
   */
  readonly stepRecordsDir?: string;
  /** A prebuilt bundle (tests build one per file); otherwise they are bundled once per process. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
}

export interface SampleWorker {
  readonly worker: Worker;
  /** Process groups of running step commands, killed on a forced exit. */
  readonly runningSteps: Set<number>;
}

/** Creates (does not run) a worker for every sample workflow and activity. */
export async function createSampleWorker(options: SampleWorkerOptions): Promise<SampleWorker> {
  const runningSteps = new Set<number>();
  const { config } = options;
  const stepRecords = openStepRecords(options.stepRecordsDir);
  stepRecords?.reap();
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle:
      // The runtime's logger, as when the SDK bundles for a worker (the bundle size at info).
      options.workflowBundle ??
      (await bundleOnce(SAMPLE_WORKFLOWS_PATH, { logger: Runtime.instance().logger })),
    activities: createActivities({
      steps: config.steps,
      env: options.env,
      runningSteps,
      ...(stepRecords === undefined ? {} : { stepRecords }),
    }),
    maxConcurrentActivityTaskExecutions: config.max_concurrent_activities,
    maxConcurrentWorkflowTaskExecutions: config.max_concurrent_workflow_tasks,
    shutdownGraceTime: Math.round(config.shutdown_grace_s * 1_000),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  return { worker, runningSteps };
}

/** A state dir that cannot be written costs only the leftover cleanup, not the worker. */
function openStepRecords(dir: string | undefined): StepRecords | undefined {
  if (dir === undefined) return undefined;
  try {
    return new StepRecords(dir);
  } catch {
    return undefined;
  }
}

/** Kills the process groups of step commands still running (forced exit). */
export function killRunningSteps(runningSteps: Set<number>): void {
  for (const pid of runningSteps) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  runningSteps.clear();
}
