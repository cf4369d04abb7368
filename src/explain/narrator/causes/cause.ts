import type { Gate } from '../../../health/types.js';
import type { RiskLevel } from '../../../model/records.js';
import type { Context } from '../context.js';

/** An action before the narrator adds its runbook reference and adjusts its confidence. */
export interface ActionSeed {
  readonly action_type: 'investigate' | 'scale' | 'configure' | 'restart' | 'monitor';
  readonly target_service: string;
  readonly description: string;
  readonly confidence: number;
  readonly risk_level: RiskLevel;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** One cause as told in one explanation: shared by every gate and finding it explains. */
export interface Cause {
  readonly key: string;
  /** The actor the cause lives in (also the first action's target). */
  readonly service: string;
  readonly text: string;
  /** The runbook that covers it (file name in docs/runbooks); '' when none does. */
  readonly runbook: string;
  /** What to ask the knowledge base. */
  readonly query: string;
  readonly actions: readonly ActionSeed[];
}

/** A row of the cause table: how to recognise a cause, where it is documented, what to do, what to say. */
export interface CauseEntry {
  /** The key it is told under, when it shares one with another row; else the row's name. */
  readonly key?: string;
  readonly service: string;
  readonly runbook: string;
  readonly query: string;
  /**
   * The metrics' evidence for it, asked when a gate's route reaches it (never the logs). Absent on
   * a row that is only ever a route's last resort or named by a finding.
   */
  readonly detect?: (c: Context, g: Gate) => boolean;
  readonly text: (c: Context) => string;
  readonly actions: (c: Context) => readonly ActionSeed[];
}
