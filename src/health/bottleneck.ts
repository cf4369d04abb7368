import { FIELD } from '../model/signal-fields.js';

import { dispatchStalled, readSignal, type ReadSignal } from './evaluate.js';
import { DEFAULT_THRESHOLDS, type ResolvedThresholds } from './thresholds.js';
import type { Evaluation, SignalValue, Signals } from './types.js';

export type Bottleneck = 'server_limited' | 'worker_limited' | 'mixed' | 'healthy' | 'unknown';

export interface BottleneckResult {
  readonly classification: Bottleneck;
  readonly server_stressed: boolean | null;
  readonly worker_stressed: boolean | null;
  readonly reasons: readonly string[];
}

/**
 * Server-limited, worker-limited, mixed or healthy. Not judged when the server is unknown, nor
 * when it is critical for a reason of its own (a critical server explains everything
 * downstream). The worker side is read from SDK metrics, or from matching when tasks arrive and
 * nobody takes them: with neither the answer is unknown, never "worker-limited" as the
 * reference concluded from zeros.
 */
export function classifyBottleneck(
  signals: Signals,
  evaluation: Pick<Evaluation, 'health_state' | 'scale_band'>,
  thresholds: ResolvedThresholds = DEFAULT_THRESHOLDS,
): BottleneckResult {
  const band = thresholds.profiles[evaluation.scale_band];
  const v: ReadSignal = (f) => readSignal(signals, f);
  const t = band.stressed;
  const reasons: string[] = [];

  const backlog = v(FIELD.historyBacklog);
  const persistence = v(FIELD.persistenceP99);
  const serverStressed =
    (backlog !== null && backlog > t.history_backlog_age_stress_sec) ||
    (persistence !== null && persistence > t.persistence_latency_p99_max_ms);
  const stalled = dispatchStalled(v, band, thresholds.rules);
  if (
    evaluation.health_state === 'unknown' ||
    (evaluation.health_state === 'critical' && (!stalled || serverStressed))
  ) {
    return {
      classification: 'unknown',
      server_stressed: null,
      worker_stressed: null,
      reasons: [`not classified while the server is ${evaluation.health_state}`],
    };
  }
  if (serverStressed) {
    reasons.push(
      `server: history backlog ${show(backlog)} s (stress ${t.history_backlog_age_stress_sec}), persistence p99 ${show(persistence)} ms (stress ${t.persistence_latency_p99_max_ms})`,
    );
  }
  if (stalled) {
    reasons.push(
      `workers: only ${show(v(FIELD.dispatchRatio))} of the tasks reaching matching are taken (${show(v(FIELD.tasksAdded))} added/s; stress below ${t.matching_dispatch_ratio_min})`,
    );
  }

  const slots = [FIELD.workflowSlotsAvailable, FIELD.activitySlotsAvailable].map((f) => v(f));
  const s2s = v(FIELD.workflowScheduleToStartP95);
  const workerMetrics = slots.some((x) => x !== null);
  if (!workerMetrics && !stalled) {
    reasons.push(
      'worker metrics absent (no SDK worker exports to this Prometheus): worker side unknown',
    );
    return {
      classification: 'unknown',
      server_stressed: serverStressed,
      worker_stressed: null,
      reasons,
    };
  }
  const exhausted = slots.some((x) => x === 0);
  const slowStart = s2s !== null && s2s > thresholds.rules.worker_wft_schedule_to_start_max_ms;
  const workerStressed = exhausted || slowStart || stalled;
  if (exhausted) reasons.push('workers: a task slot pool is exhausted (0 available)');
  if (slowStart) {
    reasons.push(
      `workers: workflow task schedule-to-start p95 ${show(s2s)} ms > ${thresholds.rules.worker_wft_schedule_to_start_max_ms} ms`,
    );
  }
  const classification: Bottleneck =
    serverStressed && workerStressed
      ? 'mixed'
      : serverStressed
        ? 'server_limited'
        : workerStressed
          ? 'worker_limited'
          : 'healthy';
  return {
    classification,
    server_stressed: serverStressed,
    worker_stressed: workerStressed,
    reasons,
  };
}

export interface ScalingWarning {
  readonly rule:
    | 'NEVER_SCALE_DOWN_AT_ZERO'
    | 'STICKY_QUEUE_WARNING'
    | 'RESTART_TO_REDISTRIBUTE'
    | 'POLLER_EXECUTOR_MISMATCH';
  readonly severity: 'critical' | 'warning';
  readonly message: string;
}

export interface ScalingContext {
  readonly proposed_action?: 'scale_up' | 'scale_down';
  readonly long_running_workflows?: boolean;
  readonly worker_count?: number;
  readonly proposed_scale_up_count?: number;
}

/** The reference's worker scaling rules, as warnings about a proposed action. */
export function workerScalingWarnings(
  signals: Signals,
  context: ScalingContext = {},
): ScalingWarning[] {
  const v: ReadSignal = (f) => readSignal(signals, f);
  const out: ScalingWarning[] = [];
  const available = [v(FIELD.workflowSlotsAvailable), v(FIELD.activitySlotsAvailable)];
  if (available.some((x) => x === 0)) {
    out.push({
      rule: 'NEVER_SCALE_DOWN_AT_ZERO',
      severity: 'critical',
      message: 'a worker slot pool is exhausted: scaling workers down now would stall progress',
    });
    if (context.proposed_action === 'scale_down') {
      out.push({
        rule: 'NEVER_SCALE_DOWN_AT_ZERO',
        severity: 'critical',
        message: 'BLOCKED: proposed scale-down while slots are at zero',
      });
    }
  }
  if (context.long_running_workflows === true && context.proposed_action === 'scale_up') {
    out.push({
      rule: 'STICKY_QUEUE_WARNING',
      severity: 'warning',
      message:
        'long-running workflows stay on their sticky workers: new workers help only new work',
    });
  }
  const hitRate = v(FIELD.stickyCacheHitRate);
  const workers = context.worker_count ?? 0;
  if (
    (hitRate !== null && hitRate < 0.5 && workers > 1) ||
    (context.long_running_workflows === true &&
      (context.proposed_scale_up_count ?? 0) >= workers &&
      workers > 0)
  ) {
    out.push({
      rule: 'RESTART_TO_REDISTRIBUTE',
      severity: 'warning',
      message: 'work is unevenly spread: a rolling restart redistributes sticky workflows',
    });
  }
  const pollers = (v(FIELD.workflowPollers) ?? 0) + (v(FIELD.activityPollers) ?? 0);
  const slots = [
    FIELD.workflowSlotsAvailable,
    FIELD.workflowSlotsUsed,
    FIELD.activitySlotsAvailable,
    FIELD.activitySlotsUsed,
  ]
    .map((f) => v(f) ?? 0)
    .reduce((a, b) => a + b, 0);
  if (slots > 0 && pollers > slots) {
    out.push({
      rule: 'POLLER_EXECUTOR_MISMATCH',
      severity: 'warning',
      message: `${pollers} pollers for ${slots} task slots: pollers take tasks no slot can run`,
    });
  }
  return out;
}

function show(x: SignalValue): string {
  return x === null ? 'absent' : Number(x.toPrecision(3)).toString();
}
