export { createApiApp } from './app.js';
export type { ApiDeps, ApiSettings } from './app.js';
export { startApiServer } from './server.js';
export type { ApiServer, ListenOptions } from './server.js';
export { METRICS_CONTENT_TYPE, renderMetrics, sanitizeLabelValue } from './metrics.js';
export { corsPolicy, isLoopbackHost } from './security.js';
export {
  completeSignals,
  currentState,
  freshnessLimitS,
  MAX_ACTIONS,
  serviceStatuses,
  statusBody,
  summaryText,
} from './view.js';
export type { CurrentState, ServiceStatus, StateSource, StatusBody } from './view.js';
