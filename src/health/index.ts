export {
  DECIDING_FIELDS,
  classifyScaleBand,
  evaluate,
  isIdle,
  isSystemBusy,
  readSignal,
} from './evaluate.js';
export type { ReadSignal } from './evaluate.js';
export { classifyBottleneck, workerScalingWarnings } from './bottleneck.js';
export type { Bottleneck, BottleneckResult, ScalingContext, ScalingWarning } from './bottleneck.js';
export { serviceHealth } from './service-health.js';
export type { Pressure, Progress, ServiceHealth } from './service-health.js';
export { overallTrend, trends } from './trends.js';
export type { SignalTrend, Trend } from './trends.js';
export {
  DEFAULT_RULES,
  DEFAULT_THRESHOLDS,
  THRESHOLD_PROFILES,
  ThresholdOverridesSchema,
  resolveThresholds,
} from './thresholds.js';
export type { ResolvedThresholds, Rules, ThresholdOverrides, Thresholds } from './thresholds.js';
export type * from './types.js';
