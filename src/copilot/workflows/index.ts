/**
 * The copilot's workflows, registered under their public type names. Deterministic code only:
 * ESLint forbids Node built-ins and the store in this folder.
 */
export { alertWorkflow } from './alert.js';
export { assessHealthWorkflow } from './assess.js';
export { logWatcherWorkflow } from './log-watcher.js';
export { observeClusterWorkflow } from './observe.js';
export { scheduledAssessmentWorkflow } from './scheduled.js';
