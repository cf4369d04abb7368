import { Worker } from '@temporalio/worker';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import { invokePatchActivationCallback } from '@temporalio/worker/lib/workflow/patch-activation-callback.js';

import { ActivatorSwapCreator } from './activator-swap.js';

export interface SandboxOptions {
  /**
   * Calls into the workflow sandbox run without the SDK's 5 s execution timeout. Node implements a
   * `vm` timeout with a watchdog thread created and joined on every call, and the SDK makes about
   * ten such calls per workflow task: measured on 2 cores, ~0.45 ms CPU and ~1 ms wall per call
   * against ~3 µs without (docs/bench.md, "Profile"). The timeout only guards against workflow
   * code that never yields, so this is for workflows known to be trivial (the bench's).
   */
  readonly untimed: boolean;
  /**
   * The workers made from the class share one sandbox: the bundle is parsed once (the SDK parses
   * it per worker, re-encodes its source map and runs it once in a throwaway context) and one V8
   * context runs every worker's workflows (the SDK makes one per worker, each with its own copy of
   * the bundle's source and compiled code). For `debugMode` workers, whose workflows run on this
   * thread anyway: measured with 4 bench workers, five copies of the 3.3 MB bundle string in the
   * heap became two (docs/bench.md). The context goes when the last of them stops.
   */
  readonly shared: boolean;
  /**
   * The workflows set no globals of their own (the bench's), so switching workflows in a reused
   * `debugMode` sandbox swaps only the SDK's activator instead of every global: the SDK's swap
   * measured ~130 µs each, about two per workflow (docs/bench.md, "Eighth round"). Not for user
   * code: a global one workflow set would be seen by the next.
   */
  readonly globalsUntouched: boolean;
}

/** A Worker class with the sandbox options; each call makes a class with its own shared state. */
export function sandboxWorkerClass(options: SandboxOptions): typeof Worker {
  if (!options.untimed && !options.shared && !options.globalsUntouched) return Worker;
  let creator: Promise<WorkflowCreator> | undefined;
  let users = 0;
  return class SandboxWorker extends Worker {
    static #bundle: ReturnType<typeof Worker.getOrCreateBundle> | undefined;

    protected static override getOrCreateBundle(
      ...args: Parameters<typeof Worker.getOrCreateBundle>
    ): ReturnType<typeof Worker.getOrCreateBundle> {
      if (!options.shared) return super.getOrCreateBundle(...args);
      SandboxWorker.#bundle ??= super.getOrCreateBundle(...args);
      return SandboxWorker.#bundle;
    }

    protected static override async createWorkflowCreator(
      ...[workflowBundle, compiled, logger]: Parameters<typeof Worker.createWorkflowCreator>
    ): Promise<WorkflowCreator> {
      // `undefined` is how `vm` is told "no timeout"; the SDK's option offers no such value.
      const timed = options.untimed
        ? { ...compiled, isolateExecutionTimeoutMs: undefined as unknown as number }
        : compiled;
      const create = (): Promise<WorkflowCreator> => {
        if (!options.globalsUntouched || !compiled.debugMode || !compiled.reuseV8Context) {
          return super.createWorkflowCreator(workflowBundle, timed, logger);
        }
        // What the SDK's createWorkflowCreator passes its reused sandbox.
        const patch = compiled.patchActivationCallback;
        return ActivatorSwapCreator.create(
          workflowBundle,
          timed.isolateExecutionTimeoutMs,
          new Set(compiled.activities.keys()),
          patch === undefined
            ? undefined
            : (info, patchId) => invokePatchActivationCallback(patch, info, patchId),
        );
      };
      if (!options.shared) return create();
      // A creator that failed is not kept: the next worker tries again.
      creator ??= create().catch((err: unknown) => {
        creator = undefined;
        throw err;
      });
      const shared = await creator;
      users += 1;
      let destroyed = false;
      return {
        createWorkflow: (o) => shared.createWorkflow(o),
        destroy: async () => {
          if (destroyed) return;
          destroyed = true;
          users -= 1;
          if (users > 0) return;
          creator = undefined;
          await shared.destroy();
        },
      };
    }
  };
}
