/**
 * What the copilot's workflows and activities exchange. The records they share with the store
 * (observation, log pattern, state change) are declared once in `model/`.
 */
import type { ThresholdOverrides } from '../health/thresholds.js';
import type { Evaluation, HealthState, PreviousEvaluation, Signals } from '../health/types.js';
import type { LogPatternCount } from '../model/records.js';

export type { LogPatternCount, StateChangeEvent } from '../model/records.js';

/** State one run of the observe workflow hands to the next (continue-as-new) or to a restart. */
export interface CarriedState {
  readonly previous: PreviousEvaluation;
  /** Observations made since the workflow first started. */
  readonly cycle: number;
  /** Recent signals, oldest first (trends); at most WINDOW_SIZE. */
  readonly window: readonly Signals[];
  readonly log_patterns: readonly LogPatternCount[];
  /** Dependency failures seen since the last stored observation (e.g. the store was down). */
  readonly pending_errors: readonly string[];
  readonly last_evaluation: Evaluation | null;
  /** Assessments started by this workflow (all runs), for tests and operators. */
  readonly assessments_started: number;
}

export interface ObserveInput {
  readonly cluster_id: string;
  readonly cadence_s: number;
  /** Cycles per run before continue-as-new. */
  readonly cycles_per_run: number;
  readonly thresholds?: ThresholdOverrides;
  /** Attempts per alert message (copilot.alerts.max_attempts). */
  readonly alert_max_attempts?: number;
  readonly carried?: CarriedState;
}

/** What the observe workflow's `current` query returns. */
export interface CurrentObservation {
  readonly cluster_id: string;
  readonly cycle: number;
  readonly run_cycle: number;
  readonly evaluation: Evaluation | null;
  readonly signals: Signals | null;
  readonly window: readonly Signals[];
  readonly log_patterns: readonly LogPatternCount[];
  readonly assessments_started: number;
}

export interface LogWatcherInput {
  readonly cluster_id: string;
  readonly cadence_s: number;
  readonly cycles_per_run: number;
  /** Cycles summed into the recent counts (with the cadence: the look-back window). */
  readonly keep_cycles: number;
  readonly carried?: { readonly recent: readonly (readonly LogPatternCount[])[] };
}

export type AssessmentTrigger = 'state_change' | 'scheduled';

/** A configured alert target, named without its URL (URLs are secrets and stay in the worker). */
export interface AlertTarget {
  readonly name: string;
  readonly format: 'json' | 'slack';
}

export interface AssessInput {
  /** The assessment's id, chosen by the parent, so a retried save stores it once. */
  readonly assessment_id: string;
  readonly cluster_id: string;
  readonly trigger: AssessmentTrigger;
  readonly evaluation: Evaluation;
  readonly signals: Signals;
  readonly window: readonly Signals[];
  readonly log_patterns: readonly LogPatternCount[];
  readonly thresholds?: ThresholdOverrides;
}

export interface AssessResult {
  readonly assessment_id: string;
  readonly health_state: HealthState;
  readonly stored: boolean;
  readonly error: string | null;
}

export interface ScheduledInput {
  readonly cluster_id: string;
  readonly interval_s: number;
  readonly cycles_per_run: number;
  readonly thresholds?: ThresholdOverrides;
}

/** Workflow ids: fixed per monitored cluster, so starting twice finds the running one. */
export const workflowIds = (clusterId: string) =>
  ({
    observe: `headway-observe-${clusterId}`,
    logWatcher: `headway-log-watcher-${clusterId}`,
    scheduled: `headway-scheduled-assessment-${clusterId}`,
  }) as const;

/** Recent signals kept for trends: 10 observations (5 minutes at the default cadence). */
export const WINDOW_SIZE = 10;
