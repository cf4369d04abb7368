import { DEFAULT_THRESHOLDS, type ResolvedThresholds } from '../health/thresholds.js';
import { classifyScaleBand, readSignal } from '../health/evaluate.js';
import { serviceHealth, type ServiceHealth } from '../health/service-health.js';
import type {
  DataQuality,
  HealthState,
  NestedValues,
  ScaleBand,
  SignalValue,
  Signals,
} from '../health/types.js';
import { FIELD, type SignalField } from '../model/signal-fields.js';
import { SIGNALS } from '../signals/registry.js';
import type {
  Assessment,
  Observation,
  RecommendedAction,
  Snapshot,
  LogPatternCount,
} from '../store/repository.js';

import { readStoredSnapshot } from './stored-snapshot.js';

/**
 * How the API turns the latest snapshot and assessment into its answers. Pure: the routes load the
 * rows and pass the clock in, so every rule here is tested without a server.
 */

/** Recommended actions shown by `/status`, as the reference capped them. */
export const MAX_ACTIONS = 5;

/** Past this age an observation no longer describes the cluster: 3 missed cycles and some slack. */
export function freshnessLimitS(cadenceS: number): number {
  return 3 * cadenceS + 5;
}

/** Where the current state came from; anything but `observation` means the API could not trust one. */
export type StateSource = 'observation' | 'stale' | 'no_observation' | 'no_snapshot';

export interface CurrentState {
  readonly health_state: HealthState;
  readonly source: StateSource;
  readonly reasons: readonly string[];
  readonly stale: boolean;
  /** The snapshot's time, or null when there is none. */
  readonly observed_at: string | null;
  readonly age_s: number | null;
  readonly snapshot: Snapshot | undefined;
  readonly observation: Observation | null;
}

/** The current state: the latest observation when it is fresh, unknown (with the reason) otherwise. */
export function currentState(snapshot: Snapshot | undefined, now: Date): CurrentState {
  if (snapshot === undefined) {
    return {
      health_state: 'unknown',
      source: 'no_snapshot',
      reasons: ['no observation yet: is the copilot worker running?'],
      stale: false,
      observed_at: null,
      age_s: null,
      snapshot,
      observation: null,
    };
  }
  // A clock a little ahead on the worker's host must not make a fresh row look negative-aged.
  const age = Math.max(0, (now.getTime() - Date.parse(snapshot.timestamp)) / 1000);
  const base = { observed_at: snapshot.timestamp, age_s: round(age, 3), snapshot };
  const observation = snapshot.observation;
  if (observation === null) {
    return {
      ...base,
      health_state: 'unknown',
      source: 'no_observation',
      reasons: [
        'the latest snapshot carries no observation (recorded outside the observe workflow): is the copilot worker running?',
      ],
      stale: false,
      observation,
    };
  }
  const limit = freshnessLimitS(observation.cadence_s);
  if (age > limit) {
    return {
      ...base,
      health_state: 'unknown',
      source: 'stale',
      reasons: [
        `no observation for ${String(Math.round(age))} s (limit ${String(limit)} s): is the copilot worker running?`,
      ],
      stale: true,
      observation,
    };
  }
  return {
    ...base,
    health_state: observation.health_state,
    source: 'observation',
    reasons: observation.reasons,
    stale: false,
    observation,
  };
}

// ---- Signal objects with every registry key --------------------------------------------------

type MutableNested = Record<string, Record<string, SignalValue>>;

interface SignalSkeleton {
  readonly primary: readonly (readonly [string, string])[];
  readonly amplifiers: readonly (readonly [string, string])[];
  readonly worker: readonly string[];
}

const SKELETON: SignalSkeleton = (() => {
  const primary: [string, string][] = [];
  const amplifiers: [string, string][] = [];
  const worker: string[] = [];
  for (const def of SIGNALS) {
    if (def.source === 'logs') continue;
    const path = def.id.split('.');
    if (def.group === 'worker') worker.push(def.id);
    else if (path.length === 2) {
      (def.group === 'primary' ? primary : amplifiers).push([path[0]!, path[1]!]);
    }
  }
  return { primary, amplifiers, worker };
})();

const numberOrNull = (v: unknown): SignalValue =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/**
 * The stored group with every registry key present (absent ones null), so each dashboard jsonPath
 * resolves even for rows written before a signal existed. Keys the registry does not know are kept.
 */
function completeNested(
  keys: readonly (readonly [string, string])[],
  stored: NestedValues | undefined,
): NestedValues {
  const out: MutableNested = {};
  for (const [section, field] of keys) (out[section] ??= {})[field] = null;
  if (stored !== undefined && stored !== null && typeof stored === 'object') {
    for (const [section, fields] of Object.entries(stored)) {
      if (fields === null || typeof fields !== 'object') continue;
      const target = (out[section] ??= {});
      for (const [field, value] of Object.entries(fields)) target[field] = numberOrNull(value);
    }
  }
  return out;
}

function completeFlat(
  keys: readonly string[],
  stored: Signals['worker_signals'],
): Record<string, SignalValue> {
  const out: Record<string, SignalValue> = {};
  for (const key of keys) out[key] = null;
  if (stored !== undefined && stored !== null && typeof stored === 'object') {
    for (const [field, value] of Object.entries(stored)) out[field] = numberOrNull(value);
  }
  return out;
}

export interface CompleteSignals {
  readonly primary_signals: NestedValues;
  readonly amplifiers: NestedValues;
  readonly worker_signals: Record<string, SignalValue>;
  readonly quality: DataQuality | null;
}

/** The snapshot's signals with every registry key present; all null when there is no snapshot. */
export function completeSignals(signals: Signals | undefined): CompleteSignals {
  return {
    primary_signals: completeNested(SKELETON.primary, signals?.primary_signals),
    amplifiers: completeNested(SKELETON.amplifiers, signals?.amplifiers),
    worker_signals: completeFlat(SKELETON.worker, signals?.worker_signals),
    quality: signals?.quality ?? null,
  };
}

// ---- Responses -------------------------------------------------------------------------------

export interface StatusBody {
  readonly health_state: HealthState;
  readonly timestamp: string;
  readonly primary_signals: NestedValues;
  readonly amplifiers: NestedValues;
  readonly log_patterns: readonly LogPatternCount[];
  readonly recommended_actions: readonly RecommendedAction[];
  readonly issue_count: number;
  readonly scale_band: ScaleBand | null;
  readonly reasons: readonly string[];
  readonly fired_gates: readonly string[];
  readonly observed_at: string | null;
  readonly observation_age_s: number | null;
  readonly stale: boolean;
  readonly data_quality: DataQuality | null;
  readonly worker_signals: Record<string, SignalValue>;
  readonly errors: readonly string[];
  readonly consecutive_critical: number | null;
  readonly assessment_id: string | null;
  /** Seconds between observations, so a reader can poll at that pace. */
  readonly cadence_s: number | null;
}

/**
 * `GET /status`. Signals and state come from the latest observation; issues and actions from the
 * latest assessment, except that a happy cluster shows none (as the reference did).
 */
export function statusBody(
  current: CurrentState,
  assessment: Assessment | undefined,
  now: Date,
): StatusBody {
  const signals = completeSignals(current.snapshot?.signals);
  const o = current.observation;
  const happy = current.health_state === 'happy';
  return {
    health_state: current.health_state,
    timestamp: current.observed_at ?? now.toISOString(),
    primary_signals: signals.primary_signals,
    amplifiers: signals.amplifiers,
    log_patterns: o?.log_patterns ?? [],
    recommended_actions: happy ? [] : (assessment?.recommended_actions ?? []).slice(0, MAX_ACTIONS),
    issue_count: happy ? 0 : (assessment?.issues.length ?? 0),
    scale_band: o?.scale_band ?? null,
    reasons: current.reasons,
    fired_gates: current.source === 'observation' ? (o?.fired_gates ?? []) : [],
    observed_at: current.observed_at,
    observation_age_s: current.age_s,
    stale: current.stale,
    data_quality: signals.quality,
    worker_signals: signals.worker_signals,
    errors: o?.errors ?? [],
    consecutive_critical: o?.consecutive_critical ?? null,
    assessment_id: assessment?.id ?? null,
    cadence_s: o?.cadence_s ?? null,
  };
}

/** `2026-02-23T18:50:00Z`: an ISO time without milliseconds, for prose. */
function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `GET /status/summary` text. It never contradicts the current state: when the latest assessment
 * judged a different state, the text says what holds now and dates the assessment.
 */
export function summaryText(current: CurrentState, assessment: Assessment | undefined): string {
  const last = (word: string): string =>
    assessment === undefined
      ? 'No assessment yet.'
      : `${word} (${shortTime(assessment.timestamp)}, ${assessment.health_state}): ${assessment.summary}`;
  if (current.health_state === 'unknown') {
    const why = current.reasons.map((r) => r.replace(/^unknown: /, '')).join('; ');
    return `Health unknown: ${sentence(why)} ${last('Last assessment')}`;
  }
  if (assessment === undefined) return 'No assessment yet.';
  const nowIdle = current.observation?.is_idle;
  const thenIdle = readStoredSnapshot(assessment.metrics_snapshot).is_idle;
  if (assessment.health_state === current.health_state) {
    // A state holds across idle and busy (happy at rest, happy at work), and it is assessed again
    // only on a change of state or on schedule: an idle account must not stand for a busy cluster.
    if (thenIdle === undefined || nowIdle === undefined || thenIdle === nowIdle) {
      return assessment.summary;
    }
    if (nowIdle) return `Now ${current.health_state} (idle); ${last('last assessment')}`;
    const st =
      current.snapshot === undefined
        ? null
        : readSignal(current.snapshot.signals, FIELD.throughput);
    const rate = st === null ? '' : ` (${st.toFixed(1)} state transitions/s)`;
    return `Now ${current.health_state}, no longer idle${rate}; ${last('last assessment')}`;
  }
  const idle = nowIdle === true ? ' (idle)' : '';
  return `Now ${current.health_state}${idle}; ${last('last assessment')}`;
}

/** Ends a clause with a full stop unless it already ends with punctuation. */
function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}

export interface ServiceStatus {
  readonly name: ServiceHealth['name'];
  readonly status: HealthState;
  readonly key_signals: Readonly<Record<string, SignalValue>>;
  readonly forward_progress: ServiceHealth['forward_progress'];
  readonly pressure: ServiceHealth['pressure'];
  readonly dominant_signal: string | null;
  /** Each instance of the service and whether Prometheus scrapes it (cluster profile only). */
  readonly instances?: ServiceHealth['instances'];
}

/**
 * `GET /status/services`: the per-service view of the latest observation. Without a fresh
 * observation every service is unknown: old worker metrics say nothing about the workers now.
 */
export function serviceStatuses(
  current: CurrentState,
  thresholds: ResolvedThresholds = DEFAULT_THRESHOLDS,
): ServiceStatus[] {
  const signals: Signals = current.snapshot?.signals ?? {
    timestamp: new Date(0).toISOString(),
    primary_signals: {},
  };
  const o = current.observation;
  const band =
    o?.scale_band ??
    classifyScaleBand(readSignal(signals, FIELD.throughput), null, thresholds.rules).band;
  const trusted = current.source === 'observation';
  return serviceHealth(
    signals,
    {
      health_state: trusted ? current.health_state : 'unknown',
      scale_band: band,
      is_idle: trusted && (o?.is_idle ?? false),
    },
    thresholds,
  ).map((s) => ({
    name: s.name,
    status: trusted ? s.status : 'unknown',
    key_signals: s.key_signals,
    forward_progress: trusted ? s.forward_progress : 'unknown',
    pressure: trusted ? s.pressure : 'unknown',
    dominant_signal: trusted ? s.dominant_signal : null,
    ...(s.instances === undefined ? {} : { instances: s.instances }),
  }));
}

// ---- History ---------------------------------------------------------------------------------

/** Points per series `/status/history` returns at most: about one per pixel of a sparkline. */
export const HISTORY_MAX_POINTS = 240;

/** The cadence assumed for rows that do not say theirs (written outside the observe workflow). */
export const DEFAULT_CADENCE_S = 30;

export interface HistorySeriesDef {
  /** Wire field, as in `/status`. */
  readonly field: SignalField;
  readonly label: string;
  readonly unit: string;
  /**
   * How a downsampled point combines the samples it stands for: rates are averaged, while ages and
   * latencies keep their worst value, so a spike survives downsampling.
   */
  readonly combine: 'mean' | 'max';
}

/** The key signals `/status/history` returns, in the order the dashboard shows them. */
export const HISTORY_SERIES: readonly HistorySeriesDef[] = [
  { field: FIELD.throughput, label: 'State transitions', unit: '/s', combine: 'mean' },
  { field: FIELD.completionRate, label: 'Completion rate', unit: 'ratio', combine: 'mean' },
  { field: FIELD.historyBacklog, label: 'History backlog age', unit: 's', combine: 'max' },
  { field: FIELD.persistenceP99, label: 'Persistence p99', unit: 'ms', combine: 'max' },
  { field: FIELD.frontendP99, label: 'Frontend p99', unit: 'ms', combine: 'max' },
  {
    field: FIELD.matchingWorkflowBacklog,
    label: 'Matching backlog age',
    unit: 's',
    combine: 'max',
  },
];

export type HistoryPoint = readonly [iso: string, value: number | null];
export type StatePoint = readonly [iso: string, state: HealthState];

export interface HistorySeries {
  readonly field: string;
  readonly label: string;
  readonly unit: string;
  readonly points: readonly HistoryPoint[];
}

export interface HistoryBody {
  readonly minutes: number;
  readonly start: string;
  readonly end: string;
  /** The newest row's cadence; null when the window holds no observation. */
  readonly cadence_s: number | null;
  readonly series: readonly HistorySeries[];
  /** State changes, oldest first: each state holds until the next entry (or `end`). */
  readonly states: readonly StatePoint[];
}

/** Worse states win when several samples share one band of the timeline. */
const SEVERITY: Readonly<Record<HealthState, number>> = {
  happy: 0,
  unknown: 1,
  stressed: 2,
  critical: 3,
};

export interface HistoryOptions {
  /** Default HISTORY_MAX_POINTS. */
  readonly maxPoints?: number;
  /**
   * When the rows are a sample (one per slice of this many ms) rather than every row: sampled rows
   * are that far apart without any gap in the observations.
   */
  readonly sampledEveryMs?: number;
}

/**
 * `GET /status/history`: key-signal series and state changes over [start, end), from snapshots
 * ordered oldest first. Beyond `maxPoints` rows, rows are grouped into equal time buckets. A gap
 * longer than the freshness limit (the copilot was not observing) breaks the series with a null
 * and turns the state `unknown`, as `/status` would have said at the time.
 */
export function historyBody(
  snapshots: readonly Snapshot[],
  start: Date,
  end: Date,
  options: HistoryOptions = {},
): HistoryBody {
  const maxPoints = options.maxPoints ?? HISTORY_MAX_POINTS;
  const slack = options.sampledEveryMs ?? 0;
  const t0 = start.getTime();
  const t1 = end.getTime();
  const rows = snapshots.filter((s) => {
    const t = Date.parse(s.timestamp);
    return t >= t0 && t < t1;
  });

  const groups: Snapshot[][] = [];
  if (rows.length <= maxPoints) {
    for (const row of rows) groups.push([row]);
  } else {
    const width = (t1 - t0) / maxPoints;
    let key = -1;
    for (const row of rows) {
      const k = Math.min(maxPoints - 1, Math.floor((Date.parse(row.timestamp) - t0) / width));
      if (k !== key) {
        groups.push([]);
        key = k;
      }
      groups.at(-1)!.push(row);
    }
  }

  let cadence = DEFAULT_CADENCE_S;
  const points: HistoryPoint[][] = HISTORY_SERIES.map(() => []);
  const states: StatePoint[] = [];
  const pushState = (iso: string, state: HealthState): void => {
    if (states.at(-1)?.[1] !== state) states.push([iso, state]);
  };
  const gapAfter = (last: Snapshot, next: number): void => {
    const limitMs = freshnessLimitS(cadence) * 1000;
    const from = Date.parse(last.timestamp) + limitMs;
    if (next <= from + slack) return;
    const iso = new Date(from).toISOString();
    for (const p of points) p.push([iso, null]);
    pushState(iso, 'unknown');
  };

  for (const [i, group] of groups.entries()) {
    const first = group[0]!;
    const last = group.at(-1)!;
    if (i > 0) gapAfter(groups[i - 1]!.at(-1)!, Date.parse(first.timestamp));
    let worst: HealthState = 'happy';
    for (const row of group) {
      cadence = row.observation?.cadence_s ?? cadence;
      const state = row.observation?.health_state ?? 'unknown';
      if (SEVERITY[state] > SEVERITY[worst]) worst = state;
    }
    pushState(first.timestamp, worst);
    for (const [s, def] of HISTORY_SERIES.entries()) {
      points[s]!.push([last.timestamp, combine(group, def)]);
    }
  }
  const newest = groups.at(-1)?.at(-1);
  if (newest !== undefined) gapAfter(newest, t1);

  return {
    minutes: Math.round((t1 - t0) / 60_000),
    start: start.toISOString(),
    end: end.toISOString(),
    cadence_s: newest?.observation?.cadence_s ?? null,
    series: HISTORY_SERIES.map((def, s) => ({
      field: def.field,
      label: def.label,
      unit: def.unit,
      points: points[s]!,
    })),
    states,
  };
}

function combine(rows: readonly Snapshot[], def: HistorySeriesDef): number | null {
  let n = 0;
  let acc = def.combine === 'max' ? -Infinity : 0;
  for (const row of rows) {
    const v = readSignal(row.signals, def.field);
    if (v === null) continue;
    n += 1;
    acc = def.combine === 'max' ? Math.max(acc, v) : acc + v;
  }
  if (n === 0) return null;
  return round(def.combine === 'max' ? acc : acc / n, 4);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
