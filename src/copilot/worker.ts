import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';

import type { HeadwayConfig } from '../config/schema.js';
import { prebuiltBundleBeside } from '../temporal/prebuilt-bundle.js';
import { bundleOnce, workflowsModuleBeside } from '../temporal/worker-pool.js';

import { createActivities, type CopilotActivityDeps } from './activities/index.js';
import { workflowIds } from './types.js';
import type { observeClusterWorkflow } from './workflows/observe.js';
import type { logWatcherWorkflow } from './workflows/log-watcher.js';
import type { scheduledAssessmentWorkflow } from './workflows/scheduled.js';

/** The workflows module the worker bundles (the .ts source under tsx, .js once compiled). */
export const COPILOT_WORKFLOWS_PATH = workflowsModuleBeside(import.meta.url);

export interface CopilotWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly deps: CopilotActivityDeps;
  readonly identity?: string;
  /**
   * A prebuilt bundle (tests share one); otherwise the one `npm ci` built into dist/, or, running
   * from the sources, they are bundled once per process.
   */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates (does not run) the copilot worker: its four workflows and their activities. */
export async function createCopilotWorker(options: CopilotWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle:
      options.workflowBundle ??
      prebuiltBundleBeside(import.meta.url) ??
      (await bundleOnce(COPILOT_WORKFLOWS_PATH)),
    activities: createActivities(options.deps),
    // Observations are small and few; a couple of slots keeps memory low on a small machine.
    maxConcurrentActivityTaskExecutions: 8,
    maxConcurrentWorkflowTaskExecutions: 8,
    // The copilot's workflows run in the main thread, not a workflow thread of their own: a second
    // V8 isolate holding the 3 MB bundle cost ~45 MB resident, a sixth of the copilot (docs/bench.md,
    // issue 17). What it gives up is the SDK's deadlock timeout for a workflow task that never
    // yields; these four workflows are ours, small, and replay-tested, and a stuck loop would show
    // as a stale copilot (the API says stale) rather than pass unnoticed.
    debugMode: true,
    shutdownGraceTime: '10s',
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
}

/** What `startCopilotWorkflows` needs from the config. */
export type CopilotSettings = Pick<
  HeadwayConfig['copilot'],
  'cluster_id' | 'cadence_s' | 'cycles_per_run' | 'scheduled_interval_s' | 'task_queue' | 'alerts'
> & {
  readonly thresholds?: HeadwayConfig['signals']['thresholds'];
};

export interface StartedWorkflows {
  readonly observe: string;
  readonly logWatcher: string;
  readonly scheduled: string;
}

/**
 * Starts the observe, log-watcher and scheduled-assessment workflows under their fixed ids. Safe
 * to call at every start: a running workflow is kept (use-existing), never duplicated.
 */
export async function startCopilotWorkflows(
  client: Client,
  settings: CopilotSettings,
): Promise<StartedWorkflows> {
  const ids = workflowIds(settings.cluster_id);
  const common = {
    taskQueue: settings.task_queue,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  } as const;
  const thresholds =
    settings.thresholds === undefined || Object.keys(settings.thresholds).length === 0
      ? {}
      : { thresholds: settings.thresholds };
  await client.workflow.start<typeof observeClusterWorkflow>('observeClusterWorkflow', {
    ...common,
    workflowId: ids.observe,
    args: [
      {
        cluster_id: settings.cluster_id,
        cadence_s: settings.cadence_s,
        cycles_per_run: settings.cycles_per_run,
        alert_max_attempts: settings.alerts.max_attempts,
        ...thresholds,
      },
    ],
  });
  await client.workflow.start<typeof logWatcherWorkflow>('logWatcherWorkflow', {
    ...common,
    workflowId: ids.logWatcher,
    args: [
      {
        cluster_id: settings.cluster_id,
        cadence_s: settings.cadence_s,
        cycles_per_run: settings.cycles_per_run,
        // Five minutes of counts, as the reference's look-back.
        keep_cycles: Math.max(1, Math.round(300 / settings.cadence_s)),
      },
    ],
  });
  await client.workflow.start<typeof scheduledAssessmentWorkflow>('scheduledAssessmentWorkflow', {
    ...common,
    workflowId: ids.scheduled,
    args: [
      {
        cluster_id: settings.cluster_id,
        interval_s: settings.scheduled_interval_s,
        cycles_per_run: 100,
        ...thresholds,
      },
    ],
  });
  return ids;
}
