import { classifyBottleneck, type BottleneckResult } from '../../health/bottleneck.js';
import { dispatchStalled, persistenceErring, readSignal } from '../../health/evaluate.js';
import { serviceHealth, type ServiceHealth } from '../../health/service-health.js';
import {
  DEFAULT_THRESHOLDS,
  POOL_SATURATED_PCT,
  type ResolvedThresholds,
  type Thresholds,
} from '../../health/thresholds.js';
import { trends, type SignalTrend } from '../../health/trends.js';
import type { Evaluation, Gate, HealthState, Signals, SignalValue } from '../../health/types.js';
import { FIELD, type SignalField } from '../../model/signal-fields.js';
import type { ExplainInput, KnowledgeBase } from '../explanation.js';

import { kindRank, ratioOf } from './gates.js';

export type NarrateInput = ExplainInput & { readonly kb?: KnowledgeBase };

/** What every part of the story reads: the verdict, the signals, and the evidence drawn from them. */
export interface Context {
  readonly signals: Signals;
  readonly evaluation: Evaluation;
  readonly state: HealthState;
  readonly thresholds: ResolvedThresholds;
  /** The thresholds of the evaluation's scale band. */
  readonly t: Thresholds;
  /** Reads one signal field. */
  readonly v: (field: SignalField) => SignalValue;
  readonly services: readonly ServiceHealth[];
  readonly bottleneck: BottleneckResult;
  readonly trends: readonly SignalTrend[];
  readonly window: number;
  /** Non-healthy gates the evaluation counts as fired (none when the state is happy or unknown). */
  readonly fired: readonly Gate[];
  readonly e: Evidence;
}

/** What the metrics (never the logs) say about likely causes. */
export interface Evidence {
  readonly persistenceSlow: boolean;
  readonly persistenceFailing: boolean;
  /** Errors well under the critical rate, but a real share of the work (`persistenceErring`). */
  readonly persistenceErring: boolean;
  readonly poolSaturated: boolean;
  readonly occHigh: boolean;
  readonly throttled: boolean;
  readonly shardsMoving: boolean;
  readonly cpuThrottled: boolean;
  readonly cacheThrashing: boolean;
  readonly hotShard: boolean;
  readonly retention: boolean;
  readonly noPollers: boolean;
  /** Tasks reach matching faster than workers take them (dispatch ratio below stressed). */
  readonly dispatchLagging: boolean;
  readonly matchingWaiting: boolean;
  readonly slotsExhausted: boolean;
  readonly workerMetrics: boolean;
}

function over(x: SignalValue, limit: number): boolean {
  return x !== null && x > limit;
}

export function buildContext(input: NarrateInput): Context {
  const { evaluation, signals } = input;
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const t = thresholds.profiles[evaluation.scale_band] ?? thresholds.profiles.starter;
  const v = (field: SignalField): SignalValue => readSignal(signals, field);
  const state = evaluation.health_state;
  const ids = new Set(evaluation.fired_gates);
  const fired =
    state === 'stressed' || state === 'critical'
      ? evaluation.gates
          .filter((g) => g.kind !== 'healthy' && ids.has(g.id))
          .sort((a, b) => kindRank(b) - kindRank(a) || ratioOf(b) - ratioOf(a))
      : [];
  const oldest = Math.max(
    v(FIELD.matchingWorkflowBacklog) ?? 0,
    v(FIELD.matchingActivityBacklog) ?? 0,
  );
  const slots = [v(FIELD.workflowSlotsAvailable), v(FIELD.activitySlotsAvailable)];
  const e: Evidence = {
    persistenceSlow: over(v(FIELD.persistenceP99), t.stressed.persistence_latency_p99_max_ms),
    persistenceFailing: over(
      v(FIELD.persistenceErrors),
      t.critical.persistence_error_rate_max_per_sec,
    ),
    persistenceErring: persistenceErring(v),
    poolSaturated: over(v(FIELD.poolUtilization), POOL_SATURATED_PCT),
    occHigh:
      over(v(FIELD.occConflicts), 5) ||
      over(v(FIELD.serializationFailures), 5) ||
      over(v(FIELD.casFailures), 5),
    throttled: over(v(FIELD.rateLimitEvents), 0.5) || over(v(FIELD.admissionRejects), 0.5),
    shardsMoving:
      over(v(FIELD.shardChurn), t.stressed.shard_churn_rate_max_per_sec / 2) ||
      over(v(FIELD.shardOwnershipLost), 1),
    cpuThrottled: over(v(FIELD.cpuThrottle), 20),
    cacheThrashing: v(FIELD.cacheHitRate) !== null && v(FIELD.cacheHitRate)! < 0.8,
    hotShard: over(v(FIELD.hotShardRatio), 3),
    retention:
      evaluation.is_system_busy ||
      (v(FIELD.deletion) ?? 0) >= thresholds.rules.system_busy.deletion_min ||
      (v(FIELD.cleanup) ?? 0) >= thresholds.rules.system_busy.cleanup_min,
    noPollers: over(v(FIELD.noPollerTasks), 0.1),
    dispatchLagging: dispatchStalled(v, t, thresholds.rules),
    matchingWaiting: oldest > t.stressed.history_backlog_age_stress_sec,
    slotsExhausted: slots.some((x) => x === 0),
    workerMetrics: slots.some((x) => x !== null),
  };
  return {
    signals,
    evaluation,
    state,
    thresholds,
    t,
    v,
    services: serviceHealth(signals, evaluation, thresholds),
    bottleneck: classifyBottleneck(signals, evaluation, thresholds),
    trends: trends(input.window),
    window: input.window.length,
    fired,
    e,
  };
}

/** The oldest task waiting in matching, workflow or activity, in seconds (0 when unknown). */
export const matchingOldest = (c: Context): number =>
  Math.max(c.v(FIELD.matchingWorkflowBacklog) ?? 0, c.v(FIELD.matchingActivityBacklog) ?? 0);

/** The worker slot pools with no free slot: 'workflow', 'activity', both or none. */
export function fullSlotPools(c: Context): string[] {
  const full: string[] = [];
  if (c.v(FIELD.workflowSlotsAvailable) === 0) full.push('workflow');
  if (c.v(FIELD.activitySlotsAvailable) === 0) full.push('activity');
  return full;
}
