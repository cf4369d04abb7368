import { errorMessage } from '../errors.js';
import {
  WorkerPool,
  workflowsModuleBeside,
  type WorkerPoolOptions,
} from '../temporal/worker-pool.js';

import { createScenarioActivities, type ActivityKnobs } from './activities.js';

/** The workflows module (the .ts source under tsx, .js once compiled). */
export const SCENARIO_WORKFLOWS_PATH = workflowsModuleBeside(import.meta.url);

export interface ScenarioWorkersOptions extends Pick<
  WorkerPoolOptions,
  'connect' | 'namespace' | 'taskQueue' | 'count'
> {
  readonly workflowSlots: number;
  readonly activitySlots: number;
  readonly knobs: ActivityKnobs;
  readonly onError: (message: string) => void;
}

/**
 * The scenario's workers, which a fault can stop and a recovery start again: a failed worker is
 * noted and the others run on.
 */
export function scenarioWorkers(o: ScenarioWorkersOptions): WorkerPool {
  return new WorkerPool({
    connect: o.connect,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    count: o.count,
    workflowsPath: SCENARIO_WORKFLOWS_PATH,
    identityPrefix: `scenario-${process.pid}`,
    worker: () => ({
      activities: createScenarioActivities(o.knobs),
      maxConcurrentWorkflowTaskExecutions: o.workflowSlots,
      maxConcurrentActivityTaskExecutions: o.activitySlots,
      // Slow activities are cut short at shutdown rather than waited for.
      shutdownGraceTime: '2s',
    }),
    onWorkerError: (err) => o.onError(`worker failed: ${errorMessage(err)}`),
  });
}
