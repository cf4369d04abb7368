import { fileURLToPath } from 'node:url';

import {
  DefaultLogger,
  Worker,
  bundleWorkflowCode,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

import { errorMessage } from '../errors.js';

import { createScenarioActivities, type ActivityKnobs } from './activities.js';

/** The workflows module (the .ts source under tsx, .js once compiled). */
export const SCENARIO_WORKFLOWS_PATH = fileURLToPath(
  new URL(`./workflows/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the scenario workflows once per process; every worker (and restart) shares it. */
export function scenarioWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: SCENARIO_WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export interface WorkerPoolOptions {
  /** One connection per worker, as separate worker processes would have. */
  readonly connect: () => Promise<NativeConnection>;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly count: number;
  readonly workflowSlots: number;
  readonly activitySlots: number;
  readonly knobs: ActivityKnobs;
  readonly onError: (message: string) => void;
}

/**
 * The scenario's workers, which a fault can stop and a recovery start again. Stopping shuts every
 * worker down and waits for it: a worker outage is every poller gone, not a pause.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  #workers: Worker[] = [];
  #connections: NativeConnection[] = [];
  #running: Promise<unknown> | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  async start(): Promise<void> {
    if (this.#running !== undefined) return;
    const o = this.#options;
    const workflowBundle = await scenarioWorkflowBundle();
    try {
      for (let i = 0; i < o.count; i++) {
        const connection = await o.connect();
        this.#connections.push(connection);
        this.#workers.push(
          await Worker.create({
            connection,
            namespace: o.namespace,
            taskQueue: o.taskQueue,
            workflowBundle,
            activities: createScenarioActivities(o.knobs),
            maxConcurrentWorkflowTaskExecutions: o.workflowSlots,
            maxConcurrentActivityTaskExecutions: o.activitySlots,
            identity: `scenario-${process.pid}-${i + 1}`,
            // Slow activities are cut short at shutdown rather than waited for.
            shutdownGraceTime: '2s',
          }),
        );
      }
    } catch (err) {
      await this.#closeConnections();
      this.#workers = [];
      throw err;
    }
    const workers = this.#workers;
    this.#running = Promise.all(
      workers.map((w) =>
        w.run().catch((err: unknown) => o.onError(`worker failed: ${errorMessage(err)}`)),
      ),
    );
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    for (const w of this.#workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await this.#closeConnections();
    this.#workers = [];
    this.#running = undefined;
  }

  async #closeConnections(): Promise<void> {
    const connections = this.#connections;
    this.#connections = [];
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  }
}
