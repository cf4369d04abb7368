import type { HealthState } from '../health/types.js';

export type { HealthState };

/**
 * The phases of a scenario run, in order. `warmup` is not judged: the copilot's rate windows fill
 * and a fresh server settles there. The others are judged by the scenario's expectations.
 */
export const PHASES = ['warmup', 'baseline', 'fault', 'recovery'] as const;
export type Phase = (typeof PHASES)[number];

/** What the copilot's API said at one poll (GET /status, /status/services, /status/summary). */
export interface Observation {
  /** Milliseconds since the run's first poll. */
  readonly t_ms: number;
  /** Wall-clock time of the poll. */
  readonly at: string;
  readonly phase: Phase;
  /** null when the API did not answer this poll (see `error`). */
  readonly health_state: HealthState | null;
  readonly stale: boolean | null;
  readonly observed_at: string | null;
  readonly scale_band: string | null;
  readonly consecutive_critical: number | null;
  readonly fired_gates: readonly string[];
  readonly reasons: readonly string[];
  readonly errors: readonly string[];
  /** Service name → its `status` in /status/services. */
  readonly services: Readonly<Record<string, string>>;
  /** The latest assessment's summary (written on state changes and on the scheduled interval). */
  readonly summary: string | null;
  /** Its issues, each `title: description` (GET /status/issues). */
  readonly issues: readonly string[];
  /** The bottleneck the latest assessment's summary or issues name (`worker_limited`, …), or null. */
  readonly bottleneck: string | null;
  /** Selected signals by wire field (`RECORDED_SIGNALS`), null when absent. */
  readonly signals: Readonly<Record<string, number | null>>;
  readonly error?: string;
}

/** When a phase began, in milliseconds since the run's first poll. */
export interface PhaseMark {
  readonly phase: Phase;
  readonly start_ms: number;
}

/** One condition an observation can meet. */
export type Check =
  | { readonly type: 'state'; readonly states: readonly HealthState[] }
  | { readonly type: 'bottleneck'; readonly values: readonly string[] }
  | {
      readonly type: 'service';
      readonly service: string;
      readonly statuses: readonly string[];
    }
  | {
      readonly type: 'signal';
      /** A `SignalField`; any string reads back as absent (null), which the check reports. */
      readonly field: string;
      readonly op: '>' | '<' | '>=' | '<=';
      readonly value: number;
      /**
       * Judge the change since the phase began (the last answered value before it), not the
       * value: a rate over minutes still carries what happened before the fault. Eventually only.
       */
      readonly sincePhaseStart?: true;
    }
  /** A reason of the observation (GET /status `reasons`) matches the pattern (case-insensitive). */
  | { readonly type: 'reason'; readonly pattern: string }
  /** The latest assessment's summary or one of its issues matches the pattern. */
  | { readonly type: 'names'; readonly pattern: string }
  | { readonly type: 'gate'; readonly gates: readonly string[] };

interface ExpectationBase {
  readonly id: string;
  /** One line a person reads in the report. */
  readonly description: string;
  /**
   * Documented, not checked: the reason the expectation cannot be met honestly with the rules or
   * the signals as they are. Reported, never evaluated, never a pass.
   */
  readonly not_checked?: string;
}

/** Every answered observation of the phases (after `grace_s` into each) meets the check. */
export interface AlwaysExpectation extends ExpectationBase {
  readonly mode: 'always';
  readonly phases: readonly Phase[];
  readonly check: Check;
  /** Seconds into each phase before the check applies: the copilot needs a cycle to notice. */
  readonly grace_s?: number;
  /**
   * The check applies from the first observation of each phase that meets this one (e.g. once
   * the copilot said unknown, it must not say happy again while the fault lasts). A phase with no
   * such observation fails.
   */
  readonly since?: Check;
}

/** Some answered observation of the phase, within `within_s` of its start, meets the check. */
export interface EventuallyExpectation extends ExpectationBase {
  readonly mode: 'eventually';
  readonly phase: Phase;
  readonly check: Check;
  readonly within_s: number;
  /** An earlier observation of the same phase must have met this first (e.g. stressed, then critical). */
  readonly after?: Check;
  /**
   * Met only once the check has held on every answered observation for this many seconds (a
   * recovery that flickers back is no recovery); the time reported is when the hold began.
   */
  readonly hold_s?: number;
  /** This expectation's time is the scenario's detection time (fault) or recovery time (recovery). */
  readonly measures?: 'detection' | 'recovery';
}

export type Expectation = AlwaysExpectation | EventuallyExpectation;

export type ExpectationStatus = 'pass' | 'fail' | 'not_checked';

export interface ExpectationResult {
  readonly id: string;
  readonly description: string;
  readonly status: ExpectationStatus;
  /** Why it passed or failed, or why it is not checked. */
  readonly detail: string;
  /** For `eventually`: seconds from the phase start to the first observation that met it. */
  readonly at_s: number | null;
}
