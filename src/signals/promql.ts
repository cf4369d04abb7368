/**
 * PromQL builders for the registry. Queries are built for the metric naming the target uses
 * (`tally`: the dev server's default, timers in seconds and counters without `_total`; `otel`:
 * `_milliseconds` timers and `_total` counters) and scoped with label selectors, so one Prometheus
 * that scrapes several clusters is read for the monitored one only.
 */
import type { QueryContext } from './signal-def.js';

export function sel(...parts: string[]): string {
  return `{${parts.filter((p) => p.length > 0).join(', ')}}`;
}

/** A server counter: tally has no `_total` suffix, OpenTelemetry does. */
export function counter(q: QueryContext, name: string): string {
  return q.naming === 'otel' ? `${name}_total` : name;
}

/** Per-second rate of a server counter (a regex of names is allowed, e.g. `a|b`). */
export function rateOf(q: QueryContext, names: string, extra = '', window = '1m'): string {
  const list = names.split('|').map((n) => counter(q, n));
  const selector =
    list.length === 1
      ? `${list[0]}${sel(q.server, extra)}`
      : sel(`__name__=~"${list.join('|')}"`, q.server, extra);
  return `sum(rate(${selector}[${window}]))`;
}

/**
 * Per-second increase of a server counter over `windowS`, new series included. `rate` reads a
 * series from its second sample, so the value it first appears with is lost, and Temporal creates
 * a counter at its first increment: a history instance that owned no shard has no
 * `sharditem_created_count` until it takes some over, and `rate` alone read 0 however many it took
 * (a new pod, or a 4-shard cluster whose ring gave them all to one instance). So a series that
 * appeared within the window adds its first value (a counter's lowest in the window) to the rate
 * of every series, including those gone stale since (an instance stopped: its shards moved).
 */
export function rateWithNewSeries(
  q: QueryContext,
  name: string,
  extra: string,
  windowS: number,
): string {
  const s = `${counter(q, name)}${sel(q.server, extra)}`;
  const w = `${String(windowS)}s`;
  const firstValues = `(min_over_time(${s}[${w}]) unless ${s} offset ${w}) / ${String(windowS)}`;
  // A label keeps the two parts apart, so `or` adds both for a new series (no vector(0) needed).
  return `sum(rate(${s}[${w}]) or label_replace(${firstValues}, "headway_part", "first", "", ""))`;
}

/**
 * Scrape targets whose request counter went down within the window: only a new process resets a
 * counter, so this sees a restart however quickly the process came back.
 */
export function restartedTargets(q: QueryContext, window: string): string {
  return `count(max by (instance) (resets(${counter(q, 'service_requests')}${sel(q.server)}[${window}])) > 0)`;
}

/** A quantile of a server timer, in milliseconds whatever the naming. */
export function timerMs(q: QueryContext, name: string, quantile: number, extra = ''): string {
  if (q.naming === 'otel') {
    return `histogram_quantile(${quantile}, sum by (le) (rate(${name}_milliseconds_bucket${sel(q.server, extra)}[5m])))`;
  }
  return `histogram_quantile(${quantile}, sum by (le) (rate(${name}_bucket${sel(q.server, extra)}[5m]))) * 1000`;
}

/**
 * A quantile of a server timer used as an age, in seconds. When no task completed in the window
 * the quantile is NaN; `>= 0 or (count rate × 0)` turns that into 0 while the histogram exists,
 * and leaves the signal absent when the deployment does not export the histogram at all.
 */
export function ageSeconds(q: QueryContext, name: string, quantile: number, extra: string): string {
  const bucket = q.naming === 'otel' ? `${name}_milliseconds_bucket` : `${name}_bucket`;
  const count = q.naming === 'otel' ? `${name}_milliseconds_count` : `${name}_count`;
  const scale = q.naming === 'otel' ? ' / 1000' : '';
  return (
    `(histogram_quantile(${quantile}, sum by (le) (rate(${bucket}${sel(q.server, extra)}[5m])))${scale} >= 0)` +
    ` or (sum(rate(${count}${sel(q.server, extra)}[5m])) * 0)`
  );
}

/** A dimensionless server histogram's count series. */
export function histCount(q: QueryContext, name: string): string {
  return q.naming === 'otel' ? `${name}_ratio_count` : `${name}_count`;
}

/** SDK metric names vary with exporter options (`_total`, `_milliseconds`): match both. */
export function sdk(q: QueryContext, name: string, suffixes: string[], extra = ''): string {
  const names = suffixes.map((s) => `${name}${s}`).join('|');
  return sel(`__name__=~"${names}"`, q.worker, extra);
}

export function sdkGauge(q: QueryContext, name: string, extra: string): string {
  return `sum(${name}${sel(q.worker, extra)})`;
}

/** History operations that persist a workflow state change (the state-transition write path). */
export const TRANSITION_WRITE_OPS =
  'StartWorkflowExecution|SignalWithStartWorkflowExecution|SignalWorkflowExecution|' +
  'RecordWorkflowTaskStarted|RespondWorkflowTaskCompleted|RespondWorkflowTaskFailed|' +
  'RecordActivityTaskStarted|RespondActivityTaskCompleted|RespondActivityTaskFailed|' +
  'RespondActivityTaskCanceled|RequestCancelWorkflowExecution|TerminateWorkflowExecution';
