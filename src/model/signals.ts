/** The wire shape of one collection of signals, and the words its verdicts are given in. */

/** Wire-compatible signal values: a number, or null when the signal is absent. */
export type SignalValue = number | null;

/** A group object keyed by sub-group then field, as in the reference's JSON (`history.backlog_age_sec`). */
export type NestedValues = {
  readonly [section: string]: { readonly [field: string]: SignalValue };
};

export interface DataQuality {
  /** Prometheus answered the collection's queries. */
  readonly prometheus_ok: boolean;
  /** Every scrape target of the monitored server is up (null: there is none). */
  readonly target_up: boolean | null;
  /** Seconds since the last successful scrape of the monitored server (null: unknown). */
  readonly scrape_age_s: number | null;
  /** Wire fields that could not be read (query failed, or a non-lazy series is absent). */
  readonly unavailable: readonly string[];
  /**
   * Each scrape target of the monitored server, when its series name a Temporal service
   * (the cluster profile's `temporal_service` label). Absent for a single dev server.
   */
  readonly targets?: readonly TargetState[];
}

/** One scraped process of the monitored cluster, as Prometheus' `up` saw it. */
export interface TargetState {
  /** frontend, history, matching, worker (a label value: untrusted, bounded in length). */
  readonly service: string;
  /** The instance's name (`temporal_instance`, else `instance`). */
  readonly instance: string;
  readonly up: boolean;
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
