/** What one registry entry says about a signal: its meaning, role and how to collect it. */
import type { SIGNAL, SignalField, SignalGroup, SignalName } from '../model/signal-fields.js';

/** decides: feeds a state gate. explains: context for people and the explainer. classifies: bottleneck. */
export type SignalRole = 'decides' | 'explains' | 'classifies';
export type MetricNaming = 'tally' | 'otel';
/** targets: read from the scrape targets' `up` (which service each is), not from one query. */
export type SignalSource = 'prometheus' | 'derived' | 'targets' | 'logs' | 'none';

export interface QueryContext {
  readonly naming: MetricNaming;
  /** Label matchers that select the monitored server's series, e.g. `job="temporal-monitored"`. */
  readonly server: string;
  /** Label matchers for SDK worker series (`temporal_*`), e.g. `job="headway-worker"`. */
  readonly worker: string;
}

export interface SignalDef {
  /** The wire path, e.g. `primary_signals.state_transitions.throughput_per_sec`. */
  readonly field: SignalField;
  /** Path inside its group object, e.g. `state_transitions.throughput_per_sec`. */
  readonly id: string;
  readonly group: SignalGroup;
  /** Reference numbering: P1…P12 primary, A1…A14 amplifiers, W1…W6 worker, WA worker amplifiers. */
  readonly ref: string;
  readonly unit: string;
  readonly meaning: string;
  readonly role: SignalRole;
  readonly source: SignalSource;
  readonly query?: (q: QueryContext) => string;
  /** For derived signals: computed from other fields of the same group (null when undefined). */
  readonly derive?: (get: (field: SignalField) => number | null) => number | null;
  /**
   * Tally creates a metric on its first event. While the target is scraped, an absent series of a
   * lazy signal means "none yet": `zero` for event counters (and the backlog age: nothing has
   * waited), `no_data` for timer quantiles (null, but not an absent signal). Every other absent
   * series is an absent signal (null), never 0.
   */
  readonly lazy?: 'zero' | 'no_data';
  readonly clamp?: readonly [number, number];
  /** Only exported by the Aurora DSQL persistence plugin. */
  readonly dsql?: boolean;
  /** A deliberate difference from the reference copilot (see docs/health-model.md). */
  readonly differs?: string;
}

/** A registry entry as written: the signal it collects, and what the group does not default. */
export type Entry<G extends SignalGroup> = Omit<
  SignalDef,
  'field' | 'id' | 'group' | 'unit' | 'source' | 'role'
> & {
  readonly signal: Extract<(typeof SIGNAL)[SignalName], { readonly group: G }>;
  readonly source?: SignalSource;
  readonly role?: SignalRole;
};

export function defineGroup<G extends SignalGroup>(
  group: G,
  role: SignalRole,
  entries: readonly Entry<G>[],
): SignalDef[] {
  return entries.map(({ signal, ...e }) => ({
    field: signal.field,
    id: signal.id,
    unit: signal.unit,
    ...e,
    source: e.source ?? 'prometheus',
    role: e.role ?? role,
    group,
  }));
}

/** a / (a + b), undefined (null) when either is absent or both are 0. */
export const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || a + b <= 0 ? null : a / (a + b);
