import { fileURLToPath } from 'node:url';

import {
  DefaultLogger,
  type Worker,
  type Logger,
  bundleWorkflowCode,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

import { sandboxWorkerClass } from './sandbox-worker.js';

/**
 * The `workflows/index` module beside the calling module (pass its `import.meta.url`): the .ts
 * source under tsx, the .js once compiled.
 */
export function workflowsModuleBeside(moduleUrl: string): string {
  const ext = moduleUrl.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`./workflows/index.${ext}`, moduleUrl));
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

export interface BundleOptions {
  /** Hears the bundler (default: warnings only), as the SDK's runtime logger does. */
  readonly logger?: Logger;
  /**
   * Modules evaluated once in a reused V8 context and shared by every workflow in it, instead of
   * once per workflow (the SDK's `preloadModules`). Only modules without per-workflow state.
   */
  readonly preloadModules?: readonly string[];
}

/**
 * Bundles a workflows module once per process (bundling takes seconds); every worker, and every
 * restart of one, shares the bundle.
 */
export function bundleOnce(
  workflowsPath: string,
  options: BundleOptions = {},
): Promise<WorkflowBundleWithSourceMap> {
  const preload = options.preloadModules ?? [];
  const key = `${workflowsPath}\0${preload.join('\0')}`;
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      logger: options.logger ?? new DefaultLogger('WARN'),
      ...(preload.length === 0 ? {} : { preloadModules: [...preload] }),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/** What each worker of a pool gets besides its connection, namespace, queue and bundle. */
export type PoolWorkerOptions = Pick<
  WorkerOptions,
  | 'activities'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'nonStickyToStickyPollRatio'
  | 'maxCachedWorkflows'
  | 'debugMode'
  | 'shutdownGraceTime'
>;

export interface WorkerPoolOptions {
  /**
   * Opens one connection per worker: the SDK refuses two workers for the same namespace and task
   * queue on one connection, and separate connections are what separate processes would have.
   */
  readonly connect: () => Promise<NativeConnection>;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly count: number;
  readonly workflowsPath: string;
  /** A bundle of `workflowsPath` made elsewhere (a disk cache); bundled here when undefined. */
  readonly workflowBundle?: () => Promise<WorkflowBundleWithSourceMap>;
  /** Worker i (from 1) identifies itself as `<identityPrefix>-<i>`. */
  readonly identityPrefix: string;
  /** Called once per worker, so each gets its own activities. */
  readonly worker: () => PoolWorkerOptions;
  /**
   * Where a failed worker is reported, the others running on. Without it the first failure
   * rejects `run`.
   */
  readonly onWorkerError?: (err: unknown) => void;
  /**
   * Calls into the workflow sandbox without the SDK's execution timeout (SandboxOptions.untimed):
   * for trivial workflows whose cost should be Temporal's, not the watchdog's.
   */
  readonly untimedSandbox?: boolean;
  /** One workflow sandbox for all the pool's workers (SandboxOptions.shared); for `debugMode`. */
  readonly sharedSandbox?: boolean;
  /** Workflows that set no globals (SandboxOptions.globalsUntouched); for `debugMode`. */
  readonly globalsUntouchedSandbox?: boolean;
}

/**
 * N workers of one task queue in this process, each on its own connection, sharing one workflow
 * bundle. They can be stopped and started again (a scenario's worker outage).
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  #workers: Worker[] = [];
  #connections: NativeConnection[] = [];
  #running: Promise<unknown> | undefined;
  readonly #WorkerClass: typeof Worker;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#WorkerClass = sandboxWorkerClass({
      untimed: options.untimedSandbox === true,
      shared: options.sharedSandbox === true,
      globalsUntouched: options.globalsUntouchedSandbox === true,
    });
  }

  get workers(): readonly Worker[] {
    return this.#workers;
  }

  /** The workers' connections, in worker order (closed by `run` once the workers stop). */
  get connections(): readonly NativeConnection[] {
    return this.#connections;
  }

  /** True between `start` and `stop`. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Creates (does not run) every worker; on a failure closes what it opened and throws. */
  async create(): Promise<void> {
    const o = this.#options;
    const workflowBundle = await (o.workflowBundle?.() ?? bundleOnce(o.workflowsPath));
    try {
      for (let i = 0; i < o.count; i++) {
        const connection = await o.connect();
        this.#connections.push(connection);
        this.#workers.push(
          await this.#WorkerClass.create({
            connection,
            namespace: o.namespace,
            taskQueue: o.taskQueue,
            workflowBundle,
            identity: `${o.identityPrefix}-${i + 1}`,
            ...o.worker(),
          }),
        );
      }
    } catch (err) {
      await this.#closeConnections();
      this.#workers = [];
      throw err;
    }
  }

  /** Runs the created workers until `shutdown`, then closes their connections. */
  async run(): Promise<void> {
    const onError = this.#options.onWorkerError;
    const runs = this.#workers.map((w) => w.run());
    try {
      await Promise.all(onError === undefined ? runs : runs.map((r) => r.catch(onError)));
    } finally {
      await this.#closeConnections();
    }
  }

  /** Asks every running worker to stop; `run` settles once they have. */
  shutdown(): void {
    for (const w of this.#workers) if (w.getState() === 'RUNNING') w.shutdown();
  }

  /** Creates the workers and runs them in the background; does nothing while they run. */
  async start(): Promise<void> {
    if (this.#running !== undefined) return;
    await this.create();
    this.#running = this.run();
  }

  /** Stops every worker and waits for it: a worker outage is every poller gone, not a pause. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.shutdown();
    await running;
    this.#workers = [];
    this.#running = undefined;
  }

  async #closeConnections(): Promise<void> {
    const connections = this.#connections;
    this.#connections = [];
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  }
}
