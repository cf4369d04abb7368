/**
 * The sample workflows, registered under their public type names (what `headway workflow start`
 * takes). Deterministic code only: ESLint forbids Node built-ins in this folder.
 */
export { fanOutBatchWorkflow as fanOutBatch } from './fan-out-fan-in.js';
export { fanOutFanInWorkflow as fanOutFanIn } from './fan-out-fan-in.js';
export { backgroundTaskWorkflow as backgroundTask } from './fire-and-forget.js';
export { fireAndForgetWorkflow as fireAndForget } from './fire-and-forget.js';
export { longRunningWorkflow as longRunning } from './long-running.js';
export { pipelineWorkflow as pipeline } from './pipeline.js';
export { subTaskWorkflow as subTask } from './pipeline.js';
export { retriesWithFallbackWorkflow as retriesWithFallback } from './retries-with-fallback.js';
export { workLoopWorkflow as workLoop } from './work-loop.js';
