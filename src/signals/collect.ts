import type { DataQuality, TargetState, SignalValue, Signals } from '../health/types.js';
import { instancesDown, servicesDown } from '../health/parts.js';
import { FIELD } from '../model/signal-fields.js';

import {
  runInstantQueries,
  type PrometheusClient,
  type QueryOutcome,
} from './prometheus-client.js';
import {
  SIGNALS,
  fieldOf,
  namingProbeQuery,
  targetQueries,
  type MetricNaming,
  type SignalDef,
} from './registry.js';
import { readTargets } from './targets.js';

export interface CollectOptions {
  /** Label matchers for the monitored server's series, e.g. `job="temporal-monitored"`. */
  readonly serverSelector: string;
  /** Label matchers for SDK worker series, e.g. `job="headway-worker"`. */
  readonly workerSelector: string;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Evaluation time (defaults to now); lets `record` and tests pin it. */
  readonly time?: Date;
}

export type FieldStatus =
  'ok' | 'absent' | 'no_data' | 'non_finite' | 'failed' | 'not_exported' | 'derived';

/** What one collection could and could not read, for people and for the `unknown` decision. */
export interface QualityReport {
  readonly collected_at: string;
  readonly duration_ms: number;
  readonly prometheus_ok: boolean;
  readonly naming: MetricNaming | null;
  readonly target_up: boolean | null;
  /** Each target and its service, when the series name one (the cluster profile). */
  readonly targets?: readonly TargetState[];
  readonly scrape_age_s: number | null;
  readonly queries: number;
  /** Series that do not exist (and are not lazy event counters). */
  readonly absent: readonly string[];
  /** Queries that returned NaN (no samples in the window, e.g. no requests for a latency). */
  readonly no_data: readonly string[];
  /** Values that were ±Inf (e.g. a quantile above the last bucket): dropped, not passed on. */
  readonly non_finite: readonly string[];
  readonly failed: readonly { readonly field: string; readonly error: string }[];
  /** Fields with no source metric on any Temporal server (reported absent by design). */
  readonly not_exported: readonly string[];
}

export interface Collection {
  readonly signals: Signals;
  readonly quality: QualityReport;
  /** Per-field status, keyed by wire field. */
  readonly status: Readonly<Record<string, FieldStatus>>;
}

/**
 * One collection: detects the metric naming, runs every registry query in parallel (bounded, each
 * with a timeout) and returns wire-shaped signals plus a quality report. Never throws for query
 * failures; a Prometheus that does not answer gives all-absent signals and `prometheus_ok: false`.
 */
export async function collectSignals(
  client: PrometheusClient,
  options: CollectOptions,
): Promise<Collection> {
  const started = Date.now();
  const time = options.time ?? new Date();
  const common = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    time,
  };
  const target = targetQueries(options.serverSelector);
  const probes = await runInstantQueries(
    client,
    new Map([
      ['naming', namingProbeQuery(options.serverSelector)],
      ['up', target.up],
      ['age', target.age],
    ] as const),
    { ...common, concurrency: 3 },
  );
  let prometheusOk = [...probes.values()].some((o) => o.ok);
  let silent = false;
  const naming = detectNaming(probes.get('naming'));
  const { up: targetUp, anyUp, targets } = readTargets(probes.get('up'));
  const age = first(probes.get('age'));

  const queried = SIGNALS.filter((s) => s.source === 'prometheus' && s.query !== undefined);
  const ctx = {
    naming: naming ?? 'tally',
    server: options.serverSelector,
    worker: options.workerSelector,
  };
  const outcomes = prometheusOk
    ? await runInstantQueries(client, new Map(queried.map((s) => [fieldOf(s), s.query!(ctx)])), {
        ...common,
        concurrency: options.concurrency ?? 8,
        // A query with no answer: Prometheus may have stopped mid-collection, and what it answered
        // before describes the cluster before it went silent. Ask once more; if it does not
        // answer, the whole collection is "Prometheus not answering", not a partial reading.
        stillAnswering: async () => {
          const again = await runInstantQueries(client, new Map([['up', target.up]]), common);
          if (again.get('up')?.ok !== true) silent = true;
          return !silent;
        },
      })
    : new Map<string, QueryOutcome>();
  if (silent) prometheusOk = false;

  const values = new Map<string, SignalValue>();
  const status: Record<string, FieldStatus> = {};
  const failed: { field: string; error: string }[] = [];
  for (const def of queried) {
    const field = fieldOf(def);
    const outcome = outcomes.get(field);
    const [value, fieldStatus, error] = interpret(def, outcome, prometheusOk, anyUp);
    values.set(field, value === null ? null : clamp(def, value));
    status[field] = fieldStatus;
    if (error !== undefined) failed.push({ field, error });
  }
  for (const def of SIGNALS) {
    const field = fieldOf(def);
    if (def.source === 'derived' && def.derive !== undefined) {
      const value = def.derive((from) => values.get(from) ?? null);
      values.set(field, value === null || !Number.isFinite(value) ? null : clamp(def, value));
      status[field] = 'derived';
    } else if (def.source === 'targets') {
      const value = fromTargets(def, targets);
      values.set(field, value);
      status[field] = value === null ? 'no_data' : 'ok';
    } else if (def.source === 'none') {
      values.set(field, null);
      status[field] = 'not_exported';
    }
  }

  const byStatus = (s: FieldStatus): string[] => Object.keys(status).filter((f) => status[f] === s);
  const unavailable = [...byStatus('absent'), ...byStatus('failed')];
  if (!prometheusOk) unavailable.push(...queried.map(fieldOf));
  const dataQuality: DataQuality = {
    prometheus_ok: prometheusOk,
    target_up: targetUp,
    scrape_age_s: age === undefined || !Number.isFinite(age) ? null : Math.max(0, age),
    unavailable,
    ...(targets === undefined ? {} : { targets }),
  };
  const quality: QualityReport = {
    collected_at: time.toISOString(),
    duration_ms: Date.now() - started,
    prometheus_ok: prometheusOk,
    naming,
    target_up: targetUp,
    ...(targets === undefined ? {} : { targets }),
    scrape_age_s: dataQuality.scrape_age_s,
    queries: probes.size + outcomes.size,
    absent: byStatus('absent'),
    no_data: byStatus('no_data'),
    non_finite: byStatus('non_finite'),
    failed,
    not_exported: byStatus('not_exported'),
  };
  return { signals: { ...toWire(values, time), quality: dataQuality }, quality, status };
}

function interpret(
  def: SignalDef,
  outcome: QueryOutcome | undefined,
  prometheusOk: boolean,
  targetUp: boolean,
): [SignalValue, FieldStatus, string?] {
  if (!prometheusOk || outcome === undefined) return [null, 'failed', 'Prometheus did not answer'];
  if (!outcome.ok) return [null, 'failed', outcome.error];
  const sample = outcome.samples[0];
  if (sample === undefined) {
    // Tally creates metrics on first use: while the server is scraped, none yet is not absence.
    if (targetUp && def.lazy === 'zero') return [0, 'ok'];
    if (targetUp && def.lazy === 'no_data') return [null, 'no_data'];
    return [null, 'absent'];
  }
  if (Number.isNaN(sample.value)) return [null, 'no_data'];
  if (!Number.isFinite(sample.value)) return [null, 'non_finite'];
  return [sample.value, 'ok'];
}

// No labelled targets (a dev server, or a scrape config that does not name services): no reading.
function fromTargets(def: SignalDef, targets: readonly TargetState[] | undefined): SignalValue {
  if (targets === undefined) return null;
  return def.field === FIELD.servicesDown
    ? servicesDown(targets).length
    : instancesDown(targets).length;
}

function clamp(def: SignalDef, value: number): number {
  if (def.clamp === undefined) return value;
  return Math.min(def.clamp[1], Math.max(def.clamp[0], value));
}

function first(outcome: QueryOutcome | undefined): number | undefined {
  return outcome?.ok === true ? outcome.samples[0]?.value : undefined;
}

function detectNaming(outcome: QueryOutcome | undefined): MetricNaming | null {
  if (outcome?.ok !== true || outcome.samples.length === 0) return null;
  return outcome.samples.some((s) => s.metric.__name__ === 'service_requests_total')
    ? 'otel'
    : 'tally';
}

/** Builds the nested wire objects (`primary_signals.history.backlog_age_sec`) with every key present. */
export function toWire(values: ReadonlyMap<string, SignalValue>, time: Date): Signals {
  const root: Record<string, Record<string, unknown>> = {
    primary_signals: {},
    amplifiers: {},
    worker_signals: {},
  };
  for (const def of SIGNALS) {
    if (def.source === 'logs') continue;
    const field = fieldOf(def);
    const [group, ...path] = field.split('.');
    let node = root[group!]!;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = values.get(field) ?? null;
  }
  return {
    timestamp: time.toISOString(),
    primary_signals: root.primary_signals as Signals['primary_signals'],
    amplifiers: root.amplifiers as NonNullable<Signals['amplifiers']>,
    worker_signals: root.worker_signals as NonNullable<Signals['worker_signals']>,
  };
}
