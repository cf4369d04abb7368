import type { HealthState, ScaleBand, SignalValue } from '../model/signals.js';

export type {
  DataQuality,
  HealthState,
  NestedValues,
  ScaleBand,
  TargetState,
  Signals,
  SignalValue,
} from '../model/signals.js';

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
