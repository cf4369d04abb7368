import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';
import { evaluate } from '../../health/evaluate.js';
import { resolveThresholds, type ResolvedThresholds } from '../../health/thresholds.js';
import type { Evaluation, Signals } from '../../health/types.js';
import type { Observation } from '../../model/records.js';
import type { CopilotActivities } from '../activities/index.js';
import {
  WINDOW_SIZE,
  type AssessInput,
  type CarriedState,
  type CurrentObservation,
  type LogPatternCount,
  type ObserveInput,
} from '../types.js';

import { alertWorkflow } from './alert.js';
import { assessHealthWorkflow } from './assess.js';

export const currentQuery = defineQuery<CurrentObservation>('current');
/** The log watcher's latest recent counts, and what it could not read (Loki or the file down). */
export const logPatternsSignal =
  defineSignal<[{ patterns: readonly LogPatternCount[]; errors: readonly string[] }]>(
    'logPatterns',
  );
/** Ends the loop after the current cycle (tests, `headway copilot stop`). */
export const stopSignal = defineSignal('stop');

/**
 * Bounded retries everywhere: a dependency that stays down must show up in the next observation,
 * never stall the loop (the reference retried forever). Timeouts scale with the cadence so a 1 s
 * test cadence does not wait 30 s on a dead worker.
 */
function activities(cadenceS: number) {
  const storeTimeout = Math.max(5, Math.min(30, cadenceS * 2));
  // Above the per-query timeout (5 s by default), so an unresponsive Prometheus ends as a
  // collection that says so, not as a timed-out activity.
  const collectTimeout = Math.max(15, Math.min(60, cadenceS * 2));
  const retry = {
    maximumAttempts: 3,
    initialInterval: '200ms',
    backoffCoefficient: 2,
    maximumInterval: '2s',
    nonRetryableErrorTypes: [FailureType.ConfigInvalid],
  } satisfies RetryPolicy;
  return {
    collect: proxyActivities<CopilotActivities>({
      startToCloseTimeout: `${String(collectTimeout)}s`,
      retry: { ...retry, maximumAttempts: 2 },
    }),
    store: proxyActivities<CopilotActivities>({
      startToCloseTimeout: `${String(storeTimeout)}s`,
      retry,
    }),
  };
}

/** A reason safe to store: the activity failure's innermost message, one line, bounded. */
export function failureReason(what: string, err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause !== undefined) e = e.cause;
  const message = e instanceof Error ? e.message : String(e);
  return `${what}: ${message.replace(/\s+/g, ' ').slice(0, 300)}`;
}

const INITIAL_STATE: CarriedState = {
  previous: { health_state: 'unknown', consecutive_critical: 0, scale_band: null },
  cycle: 0,
  window: [],
  log_patterns: [],
  pending_errors: [],
  last_evaluation: null,
  assessments_started: 0,
};

/**
 * One per monitored cluster (fixed id, started with use-existing). Every cadence: collect signals,
 * evaluate them with the previous evaluation, store the snapshot with the decision, and start an
 * assessment when the state changes. Continues as new every `cycles_per_run` cycles carrying the
 * state, so its history stays bounded however long it runs.
 */
export async function observeClusterWorkflow(input: ObserveInput): Promise<void> {
  const resolved = resolveThresholds(input.thresholds ?? {});
  if (Array.isArray(resolved)) {
    throw ApplicationFailure.nonRetryable(
      `threshold overrides are invalid: ${resolved.join('; ')}`,
      FailureType.ConfigInvalid,
    );
  }
  const thresholds: ResolvedThresholds = resolved;
  const { collect, store } = activities(input.cadence_s);

  let state: CarriedState = input.carried ?? INITIAL_STATE;
  let lastSignals: Signals | null = state.window.at(-1) ?? null;
  let runCycle = 0;
  let stopping = false;

  setHandler(currentQuery, () => ({
    cluster_id: input.cluster_id,
    cycle: state.cycle,
    run_cycle: runCycle,
    evaluation: state.last_evaluation,
    signals: lastSignals,
    window: state.window,
    log_patterns: state.log_patterns,
    assessments_started: state.assessments_started,
  }));
  let logErrors: readonly string[] = [];
  setHandler(logPatternsSignal, (report) => {
    // A watcher started by an older Headway sends the bare list.
    const r: unknown = report;
    state = {
      ...state,
      log_patterns: Array.isArray(r) ? (r as LogPatternCount[]) : report.patterns,
    };
    logErrors = Array.isArray(r) ? [] : report.errors;
  });
  setHandler(stopSignal, () => {
    stopping = true;
  });

  while (!stopping) {
    const started = Date.now();
    const errors: string[] = [...state.pending_errors, ...logErrors];
    let signals: Signals;
    let durationMs = 0;
    try {
      const collected = await collect.collectSignals();
      signals = collected.signals;
      durationMs = collected.duration_ms;
      errors.push(...collected.errors);
    } catch (err) {
      // The collect activity itself failed (worker lost, timeout): no data is not "all zero".
      errors.push(failureReason('collect', err));
      signals = noData(new Date().toISOString());
    }

    const evaluation: Evaluation = evaluate(signals, state.previous, thresholds);
    const cycle = state.cycle + 1;
    const observation: Observation = {
      health_state: evaluation.health_state,
      scale_band: evaluation.scale_band,
      consecutive_critical: evaluation.consecutive_critical,
      fired_gates: evaluation.fired_gates,
      reasons: [...evaluation.reasons, ...errors],
      is_idle: evaluation.is_idle,
      cycle,
      cadence_s: input.cadence_s,
      duration_ms: durationMs,
      log_patterns: state.log_patterns,
      errors,
    };

    const pending: string[] = [];
    try {
      await store.saveSnapshot({
        id: uuid4(),
        at: new Date().toISOString(),
        signals,
        observation,
      });
    } catch (err) {
      // Carried into the next observation, so the outage is on record once the store is back.
      pending.push(failureReason('store', err));
    }

    const window = [...state.window, signals].slice(-WINDOW_SIZE);
    let assessments = state.assessments_started;
    // The first observation is assessed too, so a new copilot has something to say at once.
    if (state.cycle === 0 || evaluation.health_state !== state.previous.health_state) {
      const assess: AssessInput = {
        assessment_id: uuid4(),
        cluster_id: input.cluster_id,
        trigger: 'state_change',
        evaluation,
        signals,
        window,
        log_patterns: state.log_patterns,
        ...(input.thresholds === undefined ? {} : { thresholds: input.thresholds }),
      };
      log.info('state changed', {
        from: state.previous.health_state,
        to: evaluation.health_state,
        cycle,
      });
      // Abandoned, not awaited: the assessment outlives this run (continue-as-new) and a slow
      // explainer must not delay the next observation.
      await startChild(assessHealthWorkflow, {
        workflowId: `headway-assess-${input.cluster_id}-${assess.assessment_id}`,
        args: [assess],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      assessments += 1;
      // Alerts on every change; on the first observation only when it is bad news (a copilot
      // starting beside a sick cluster should say so, a healthy start is not an event).
      if ((state.cycle > 0 || evaluation.health_state !== 'happy') && alertsExist(input)) {
        await startChild(alertWorkflow, {
          workflowId: `headway-alert-${input.cluster_id}-${assess.assessment_id}`,
          args: [
            {
              event_id: assess.assessment_id,
              cluster_id: input.cluster_id,
              from: state.cycle === 0 ? null : state.previous.health_state,
              to: evaluation.health_state,
              at: new Date().toISOString(),
              cycle,
              scale_band: evaluation.scale_band,
              fired_gates: evaluation.fired_gates,
              reasons: observation.reasons.slice(0, 5),
            },
            input.alert_max_attempts ?? 5,
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      }
    }

    state = {
      previous: {
        health_state: evaluation.health_state,
        consecutive_critical: evaluation.consecutive_critical,
        scale_band: evaluation.scale_band,
      },
      cycle,
      window,
      log_patterns: state.log_patterns,
      pending_errors: pending,
      last_evaluation: evaluation,
      assessments_started: assessments,
    };
    lastSignals = signals;
    runCycle += 1;

    if (runCycle >= input.cycles_per_run || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof observeClusterWorkflow>({ ...input, carried: state });
    }
    // Cadence measured from the cycle's start, so slow collections do not stretch it; a stop
    // signal ends the wait at once.
    const waitMs = Math.max(0, input.cadence_s * 1000 - (Date.now() - started));
    await condition(() => stopping, waitMs);
  }
}

/**
 * Whether this run may start alert children. Alerts were added without a patch,
 * so two kinds of history exist: runs started before alerts (no alert child, no marker) and runs
 * started since (alert children, no marker). Every starter since alerts sets
 * `alert_max_attempts`, and continue-as-new keeps it, so it tells the second kind apart; a run
 * from before alerts asks the patch, which is false while its old history replays and true (a
 * marker recorded) from its first new state change on.
 */
function alertsExist(input: ObserveInput): boolean {
  return input.alert_max_attempts !== undefined || patched('observe-alert-child');
}

/** Signals for a cycle whose collection failed outright: nothing was read. */
function noData(timestamp: string): Signals {
  return {
    timestamp,
    primary_signals: {},
    quality: { prometheus_ok: false, target_up: null, scrape_age_s: null, unavailable: [] },
  };
}
