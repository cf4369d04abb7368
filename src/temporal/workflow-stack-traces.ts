// Hand-written: the SDK has no option to run workflows without its stack-trace machinery, so this
// sets the flag its own `install()` checks (@temporalio/worker's vm-shared module, SDK 1.24).
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';

/**
 * Keeps the SDK from installing its process-wide workflow stack-trace hooks: a V8 promise hook
 * that, in debug mode (workflows on the main thread), runs for every promise of the process (the
 * generator's, grpc's, rxjs's) and compiles a function to find the promise's workflow, and an
 * `Error.prepareStackTrace` that source-maps every stack. Profiled at 50/s with 4 bench workers:
 * about a fifth of the main thread (docs/bench.md, "Profile"). The price: the `__stack_trace`
 * query of workflows in this process answers with no stack, and workflow errors are not
 * source-mapped. Call before the first Worker is created; returns false when a worker created
 * earlier in this process already installed the hooks (they stay: the SDK cannot remove them).
 */
export function skipWorkflowStackTraces(): boolean {
  if (globalHandlers.installed) return !globalHandlers.promiseHookInstalled;
  globalHandlers.installed = true;
  return true;
}

/** True when the SDK's workflow stack-trace promise hook is installed in this process. */
export function workflowStackTracesInstalled(): boolean {
  return globalHandlers.promiseHookInstalled;
}
