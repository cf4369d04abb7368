import { FIELD, type SignalField } from '../model/signal-fields.js';

import { dispatchStalled, persistenceErring, readSignal, type ReadSignal } from './evaluate.js';
import { DEFAULT_THRESHOLDS, POOL_SATURATED_PCT, type ResolvedThresholds } from './thresholds.js';
import type { Evaluation, HealthState, SignalValue, Signals, TargetState } from './types.js';

export type ServiceName = 'history' | 'matching' | 'frontend' | 'persistence' | 'workers';
export type Progress = 'ok' | 'degraded' | 'blocked' | 'unknown';
export type Pressure = 'low' | 'moderate' | 'high' | 'unknown';

export interface ServiceHealth {
  readonly name: ServiceName;
  readonly forward_progress: Progress;
  readonly pressure: Pressure;
  /** The signal that decided this service's view. */
  readonly dominant_signal: SignalField | null;
  /** The reference API's status field: happy / stressed / critical (unknown when undecidable). */
  readonly status: HealthState;
  readonly key_signals: Readonly<Record<string, SignalValue>>;
  /** The service's scrape targets, when they are labelled with it (the cluster profile). */
  readonly instances?: readonly { readonly instance: string; readonly up: boolean }[];
}

const STATUS: Record<Progress, HealthState> = {
  ok: 'happy',
  degraded: 'stressed',
  blocked: 'critical',
  unknown: 'unknown',
};

/** Pressure from how close the observed value is to its stress threshold. */
function pressureOf(observed: SignalValue, stress: number, higherIsWorse = true): Pressure {
  if (observed === null) return 'unknown';
  const r = higherIsWorse ? observed / stress : stress / Math.max(observed, 1e-9);
  return r < 0.5 ? 'low' : r < 1 ? 'moderate' : 'high';
}

/**
 * What each part of the cluster is doing, from the same thresholds as the state machine (the
 * reference's API kept its own, different numbers). An idle cluster is ok everywhere; an unknown
 * evaluation makes every server view unknown.
 */
export function serviceHealth(
  signals: Signals,
  evaluation: Pick<Evaluation, 'health_state' | 'scale_band' | 'is_idle'>,
  thresholds: ResolvedThresholds = DEFAULT_THRESHOLDS,
): ServiceHealth[] {
  const t = thresholds.profiles[evaluation.scale_band];
  const v: ReadSignal = (f) => readSignal(signals, f);
  const unknown = evaluation.health_state === 'unknown';
  const make = (
    name: ServiceName,
    progress: Progress,
    pressure: Pressure,
    dominant: SignalField | null,
    keys: SignalField[],
  ): ServiceHealth => {
    const p = unknown ? 'unknown' : progress;
    return {
      name,
      forward_progress: p,
      pressure: unknown ? 'unknown' : pressure,
      dominant_signal: dominant,
      status: STATUS[p],
      key_signals: Object.fromEntries(keys.map((k) => [k.replace(/^[a-z_]+\./, ''), v(k)])),
    };
  };
  const idle = evaluation.is_idle;

  // History: is it processing its tasks, and how long do they wait?
  const backlog = v(FIELD.historyBacklog);
  const processing = v(FIELD.processing);
  const historyProgress: Progress =
    backlog === null || processing === null
      ? 'unknown'
      : idle
        ? 'ok'
        : backlog > t.critical.history_backlog_age_max_sec ||
            processing < t.critical.history_processing_rate_min_per_sec
          ? 'blocked'
          : backlog > t.stressed.history_backlog_age_stress_sec
            ? 'degraded'
            : 'ok';
  const history = make(
    'history',
    historyProgress,
    pressureOf(backlog, t.stressed.history_backlog_age_stress_sec),
    FIELD.historyBacklog,
    [FIELD.historyBacklog, FIELD.processing, FIELD.shardChurn],
  );

  // Matching: are tasks waiting for workers? The backlog gauges are refreshed about once a
  // minute; the dispatch ratio (tasks handed out per task added) moves with every task.
  const wf = v(FIELD.matchingWorkflowBacklog);
  const act = v(FIELD.matchingActivityBacklog);
  const oldest = wf === null && act === null ? null : Math.max(wf ?? 0, act ?? 0);
  const ratio = v(FIELD.dispatchRatio);
  const lagging = dispatchStalled(v, t, thresholds.rules);
  const stalled = lagging && ratio !== null && ratio < t.critical.matching_dispatch_ratio_min;
  const byAge: Progress =
    oldest === null
      ? 'unknown'
      : oldest > t.critical.history_backlog_age_max_sec
        ? 'blocked'
        : oldest > t.stressed.history_backlog_age_stress_sec
          ? 'degraded'
          : 'ok';
  const matchingProgress: Progress = stalled
    ? 'blocked'
    : lagging && (byAge === 'ok' || byAge === 'unknown')
      ? 'degraded'
      : byAge;
  const matching = make(
    'matching',
    matchingProgress,
    lagging ? 'high' : pressureOf(oldest, t.stressed.history_backlog_age_stress_sec),
    lagging
      ? FIELD.dispatchRatio
      : (wf ?? 0) >= (act ?? 0)
        ? FIELD.matchingWorkflowBacklog
        : FIELD.matchingActivityBacklog,
    [
      FIELD.matchingWorkflowBacklog,
      FIELD.matchingActivityBacklog,
      FIELD.dispatchRatio,
      FIELD.pollTimeoutRate,
    ],
  );

  // Frontend (are clients served?) and persistence (slow but working, or failing?) read the same
  // way: errors past their limit block progress, p99 past its limit degrades it.
  const errorsThenLatency = (
    name: ServiceName,
    errorsField: SignalField,
    errorMax: number,
    p99Field: SignalField,
    p99Max: number,
    keys: SignalField[],
  ): ServiceHealth => {
    const errors = v(errorsField);
    const p99 = v(p99Field);
    const progress: Progress =
      errors === null
        ? 'unknown'
        : errors > errorMax
          ? 'blocked'
          : p99 !== null && p99 > p99Max
            ? 'degraded'
            : 'ok';
    return make(
      name,
      progress,
      pressureOf(p99, p99Max),
      progress === 'blocked' ? errorsField : p99Field,
      keys,
    );
  };
  const frontend = errorsThenLatency(
    'frontend',
    FIELD.frontendErrors,
    thresholds.rules.frontend_error_rate_critical_per_sec,
    FIELD.frontendP99,
    t.stressed.frontend_latency_p99_max_ms,
    [FIELD.frontendErrors, FIELD.frontendP99],
  );
  const byErrors = errorsThenLatency(
    'persistence',
    FIELD.persistenceErrors,
    t.critical.persistence_error_rate_max_per_sec,
    FIELD.persistenceP99,
    t.stressed.persistence_latency_p99_max_ms,
    [FIELD.persistenceP99, FIELD.persistenceErrors, FIELD.poolUtilization],
  );
  // A database that stops answering completes nothing, so it records neither errors nor latency;
  // every pool connection held is what shows it. With history stalled too, it is the blocker.
  const pool = v(FIELD.poolUtilization);
  const poolFull = !unknown && pool !== null && pool > POOL_SATURATED_PCT;
  const erring = !unknown && persistenceErring(v);
  const poolProgress: Progress =
    historyProgress === 'blocked' || byErrors.forward_progress === 'blocked'
      ? 'blocked'
      : 'degraded';
  // The pool leads only where errors and latency see nothing; they name a slow database better.
  const quiet = byErrors.forward_progress === 'ok' || byErrors.forward_progress === 'unknown';
  const persistence: ServiceHealth = !poolFull
    ? erring && quiet
      ? {
          ...byErrors,
          forward_progress: 'degraded',
          status: STATUS.degraded,
          dominant_signal: FIELD.persistenceErrors,
        }
      : byErrors
    : {
        ...byErrors,
        forward_progress: poolProgress,
        status: STATUS[poolProgress],
        pressure: 'high',
        dominant_signal: quiet ? FIELD.poolUtilization : byErrors.dominant_signal,
      };

  // Workers: from SDK metrics, and from matching when nobody takes the work (a stopped worker
  // exports nothing). Absent metrics with work moving are unknown, not "limited".
  const wAvail = v(FIELD.workflowSlotsAvailable);
  const aAvail = v(FIELD.activitySlotsAvailable);
  const used = (v(FIELD.workflowSlotsUsed) ?? 0) + (v(FIELD.activitySlotsUsed) ?? 0);
  const total = used + (wAvail ?? 0) + (aAvail ?? 0);
  const s2s = v(FIELD.workflowScheduleToStartP95);
  const fromSdk: Progress =
    wAvail === null && aAvail === null
      ? 'unknown'
      : (wAvail === 0 || aAvail === 0) && (oldest ?? 0) > t.stressed.history_backlog_age_stress_sec
        ? 'blocked'
        : wAvail === 0 ||
            aAvail === 0 ||
            (s2s !== null && s2s > thresholds.rules.worker_wft_schedule_to_start_max_ms)
          ? 'degraded'
          : 'ok';
  const workersProgress: Progress = stalled
    ? 'blocked'
    : lagging && (fromSdk === 'ok' || fromSdk === 'unknown')
      ? 'degraded'
      : fromSdk;
  const workerPressure: Pressure = lagging
    ? 'high'
    : total > 0
      ? pressureOf(used / total, 0.8)
      : wAvail === null
        ? 'unknown'
        : 'low';
  const workers: ServiceHealth = {
    ...make(
      'workers',
      workersProgress,
      workerPressure,
      lagging && fromSdk !== 'blocked' ? FIELD.dispatchRatio : FIELD.workflowSlotsAvailable,
      [
        FIELD.workflowSlotsAvailable,
        FIELD.activitySlotsAvailable,
        FIELD.workflowScheduleToStartP95,
        FIELD.dispatchRatio,
      ],
    ),
    // The worker view does not depend on the server's data quality.
    forward_progress: workersProgress,
    pressure: workerPressure,
    status: STATUS[workersProgress],
  };

  const targets = signals.quality?.targets;
  return [
    withInstances(history, targets),
    withInstances(matching, targets),
    withInstances(frontend, targets),
    persistence,
    workers,
  ];
}

/**
 * A service's own targets: none up blocks it whatever its metrics said (they are the others'
 * view, or stale), some down degrade it.
 */
function withInstances(
  view: ServiceHealth,
  targets: readonly TargetState[] | undefined,
): ServiceHealth {
  const mine = (targets ?? []).filter((t) => t.service === view.name);
  if (mine.length === 0) return view;
  const instances = mine.map((t) => ({ instance: t.instance, up: t.up }));
  const up = mine.filter((t) => t.up).length;
  const anyUp = (targets ?? []).some((t) => t.up);
  if (up === mine.length || !anyUp) return { ...view, instances };
  const progress: Progress =
    up === 0 ? 'blocked' : view.forward_progress === 'blocked' ? 'blocked' : 'degraded';
  return {
    ...view,
    instances,
    forward_progress: progress,
    status: STATUS[progress],
    dominant_signal: up === 0 ? FIELD.servicesDown : FIELD.instancesDown,
  };
}
