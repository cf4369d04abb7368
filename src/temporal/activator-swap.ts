// Hand-written: the SDK's reused V8 context offers no switch between workflows cheaper than
// saving and restoring every global, and no option for workflows known to set none.
import vm from 'node:vm';

import { native } from '@temporalio/core-bridge';
import type { WorkflowCreateOptions } from '@temporalio/worker/lib/workflow/interface.js';
import {
  ReusableVMWorkflow,
  ReusableVMWorkflowCreator,
} from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { globalHandlers, type WorkflowModule } from '@temporalio/worker/lib/workflow/vm-shared.js';

const CALL = '__HEADWAY_CALL_INTO_SCOPE';

/**
 * The SDK's call into the sandbox (`__TEMPORAL_CALL_INTO_SCOPE`), except for what it does when the
 * workflow changes: the SDK copies every global's descriptor out and compares and redefines each
 * one back, about 130 µs in a `vm` context, where each global is reached through Node's
 * interceptors; this swaps the one global the SDK sets per workflow, its activator.
 */
const DEFINE_CALL = `{
  const call = () => {
    const [holder, fn, args] = globalThis.__temporal_args;
    delete globalThis.__temporal_args;
    const current = globalThis.__TEMPORAL_BAG_HOLDER__;
    if (current !== holder) {
      if (current !== undefined) current.activator = globalThis.__TEMPORAL_ACTIVATOR__;
      globalThis.__TEMPORAL_ACTIVATOR__ = holder.activator;
      globalThis.__TEMPORAL_BAG_HOLDER__ = holder;
    }
    return __TEMPORAL__.api[fn](...args);
  };
  Object.defineProperty(globalThis, '${CALL}', {
    value: call, writable: false, enumerable: false, configurable: false,
  });
}`;
const callIntoScope = new vm.Script(`${CALL}()`);

/**
 * A reused sandbox for workflows that set no globals of their own (the bench's): when it switches
 * workflows it swaps only the SDK's activator. A workflow that did set a global would see another
 * workflow's value of it, so this is not for user code.
 */
export class ActivatorSwapCreator extends ReusableVMWorkflowCreator {
  protected override injectGlobals(context: vm.Context): void {
    super.injectGlobals(context);
    vm.runInContext(DEFINE_CALL, context);
  }

  /** The SDK's `createWorkflow`, calling into the sandbox through the swap above. */
  override createWorkflow(options: WorkflowCreateOptions): Promise<ReusableVMWorkflow> {
    const context = this.context;
    const holder: { activator?: unknown } = {};
    const timeout = this.isolateExecutionTimeoutMs;
    const workflowModule = new Proxy({} as WorkflowModule, {
      get:
        (_, fn) =>
        (...args: unknown[]): unknown => {
          // Microtasks the call queued run before it returns (the context's 'afterEvaluate').
          context.__temporal_args = [holder, fn, args];
          return callIntoScope.runInContext(context, { timeout, displayErrors: true });
        },
    });
    workflowModule.initRuntime({
      ...options,
      sourceMap: this.workflowBundle.sourceMap,
      getTimeOfDay: native.getTimeOfDay,
      registeredActivityNames: this.registeredActivityNames,
      stackTracesEnabled: globalHandlers.promiseHookInstalled,
      ...(this.patchActivationCallback === undefined
        ? {}
        : { patchActivationCallback: this.patchActivationCallback }),
    });
    const activator = context.__TEMPORAL_ACTIVATOR__;
    if (activator === undefined) throw new Error('the workflow sandbox set up no activator');
    const workflow = new ReusableVMWorkflow(options.info.runId, context, activator, workflowModule);
    // Where the SDK looks up the workflow an unhandled rejection belongs to.
    ReusableVMWorkflowCreator.workflowByRunId.set(options.info.runId, workflow);
    return Promise.resolve(workflow);
  }
}
