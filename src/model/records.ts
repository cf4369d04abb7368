/**
 * Records that cross a boundary (workflow ↔ activity, workflow ↔ store, store ↔ API), declared
 * once here so workflow code can `import type` them without reaching into the store. Field names
 * are snake_case because they are serialized as they are.
 */
import type { HealthState, NestedValues, ScaleBand, SignalValue } from './signals.js';

/** A narrative log pattern count (the reference API's `log_patterns` entry). Strings are untrusted. */
export interface LogPatternCount {
  readonly pattern: string;
  readonly service: string;
  readonly count: number;
  /** First matching message, sanitized and at most 500 characters. */
  readonly sample_message: string;
}

/**
 * What the observe workflow decided in one cycle, stored with that cycle's signals. The API reads
 * the current state from here: it is the authoritative state, not the last assessment's.
 */
export interface Observation {
  readonly health_state: HealthState;
  readonly scale_band: ScaleBand | null;
  readonly consecutive_critical: number;
  readonly fired_gates: readonly string[];
  readonly reasons: readonly string[];
  readonly is_idle: boolean;
  /** Cycle number since the observe workflow first started (survives continue-as-new). */
  readonly cycle: number;
  /** Seconds between observations, so readers can tell a fresh row from a stale one. */
  readonly cadence_s: number;
  /** How long collecting the signals took. */
  readonly duration_ms: number;
  readonly log_patterns: readonly LogPatternCount[];
  /** Dependencies that failed this cycle (Prometheus, Loki, store), sanitized, secret-free. */
  readonly errors: readonly string[];
}

/**
 * What an assessment keeps of the signals and judgement it was made on (its `metrics_snapshot`).
 * Rows stored by older builds may lack fields: readers take it as untrusted JSON.
 */
export interface AssessmentSnapshot {
  readonly primary_signals: NestedValues;
  readonly amplifiers: NestedValues;
  readonly worker_signals: { readonly [field: string]: SignalValue };
  readonly log_patterns: readonly LogPatternCount[];
  readonly fired_gates: readonly string[];
  readonly scale_band: ScaleBand;
  /** Whether the cluster was idle: an idle account does not hold once work arrives. */
  readonly is_idle: boolean;
}

export type IssueSeverity = 'critical' | 'warning' | 'info';
export type RiskLevel = 'low' | 'medium' | 'high';

/** An issue as an explainer drafts it and the store keeps it (before its id and timestamps). */
export interface DraftIssue {
  readonly severity: IssueSeverity;
  readonly title: string;
  readonly description: string;
  readonly likely_cause: string | null;
  readonly suggested_actions: readonly string[];
  readonly related_metrics: readonly string[];
}

/** A suggested action, in the reference API's wire shape (`/status` → `recommended_actions`). */
export interface RecommendedAction {
  readonly action_type: string;
  readonly target_service: string;
  readonly description: string;
  /** 0–1. */
  readonly confidence: number;
  readonly parameters: Readonly<Record<string, unknown>> | null;
  readonly risk_level: RiskLevel;
}

/** What webhooks are told when the state changes. No secrets, no raw log text. */
export interface StateChangeEvent {
  /** Unique per change; sent as `Idempotency-Key` so a receiver can drop a retried duplicate. */
  readonly event_id: string;
  readonly cluster_id: string;
  readonly from: HealthState | null;
  readonly to: HealthState;
  readonly at: string;
  readonly cycle: number;
  readonly scale_band: ScaleBand | null;
  readonly fired_gates: readonly string[];
  readonly reasons: readonly string[];
}
