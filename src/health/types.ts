/** Wire-compatible signal values: a number, or null when the signal is absent. */
export type SignalValue = number | null;

/** A group object keyed by sub-group then field, as in the reference's JSON (`history.backlog_age_sec`). */
export type NestedValues = {
  readonly [section: string]: { readonly [field: string]: SignalValue };
};

export interface DataQuality {
  /** Prometheus answered the collection's queries. */
  readonly prometheus_ok: boolean;
  /** The monitored server's scrape target is up (null: unknown). */
  readonly target_up: boolean | null;
  /** Seconds since the last successful scrape of the monitored server (null: unknown). */
  readonly scrape_age_s: number | null;
  /** Wire fields that could not be read (query failed, or a non-lazy series is absent). */
  readonly unavailable: readonly string[];
}

export interface Signals {
  readonly timestamp: string;
  readonly primary_signals: NestedValues;
  readonly amplifiers?: NestedValues;
  readonly worker_signals?: { readonly [field: string]: SignalValue };
  /** Present for live collections; replayed traces carry only values. */
  readonly quality?: DataQuality;
}

export type HealthState = 'happy' | 'stressed' | 'critical' | 'unknown';
export type ScaleBand = 'starter' | 'mid-scale' | 'high-throughput';
export type GateKind = 'critical' | 'stressed' | 'healthy';

export interface Gate {
  readonly id: string;
  readonly kind: GateKind;
  /** The wire field the gate reads. */
  readonly signal: string;
  /** true: the condition holds; false: it does not; null: not evaluated (see note). */
  readonly fired: boolean | null;
  readonly observed: SignalValue;
  readonly threshold: number;
  readonly condition: string;
  readonly note?: string;
}

export interface PreviousEvaluation {
  readonly health_state: HealthState;
  readonly consecutive_critical: number;
  readonly scale_band: ScaleBand | null;
}

export interface Evaluation {
  readonly timestamp: string;
  readonly health_state: HealthState;
  readonly scale_band: ScaleBand;
  readonly consecutive_critical: number;
  readonly gates: readonly Gate[];
  readonly fired_gates: readonly string[];
  readonly is_idle: boolean;
  readonly is_system_busy: boolean;
  readonly reasons: readonly string[];
}
