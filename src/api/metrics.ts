import { Gauge, Registry } from '../prometheus/prom-client.js';

import type { HealthState } from '../health/types.js';
import { exposition } from '../prometheus/exposition.js';

import type { CurrentState } from './view.js';

/** `GET /metrics` in the Prometheus text exposition format 0.0.4, written by prom-client. */

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const STATES: readonly HealthState[] = ['happy', 'stressed', 'critical', 'unknown'];

/**
 * A label value with control characters other than line feed blanked. Pattern and service names
 * come from log lines, so they are untrusted: prom-client escapes backslash, double quote and line
 * feed, but a raw carriage return would still split the line for some parsers.
 */
export function sanitizeLabelValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  return value.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, ' ');
}

/**
 * The exposition for the current state. `current` is undefined when the store could not be read:
 * the scrape still succeeds (with `copilot_store_up 0` and the state unknown) so an alert can tell
 * "the copilot cannot read its store" from "the copilot is gone". Each scrape fills a registry of
 * its own (never prom-client's global one) from the state read for it, so concurrent scrapes
 * cannot mix.
 */
export async function renderMetrics(current: CurrentState | undefined): Promise<string> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => {
    const g = new Gauge<L>({ name, help, labelNames, registers: [registry] });
    // An unlabelled gauge starts with a 0 sample; a series without a value must stay absent.
    if (labelNames.length === 0) g.remove({});
    return g;
  };
  const state = current?.health_state ?? 'unknown';
  const o = current?.observation ?? null;
  gauge('copilot_store_up', 'Whether the API could read the assessment store (1) or not (0).').set(
    current === undefined ? 0 : 1,
  );
  const health = gauge(
    'copilot_health_state',
    'Current health state of the monitored cluster: 1 for the current state, 0 for the others.',
    ['state'],
  );
  for (const s of STATES) health.set({ state: s }, s === state ? 1 : 0);

  // Two entries for the same pattern and service would be a duplicate series, which Prometheus
  // rejects with the whole scrape: the gauge sums them.
  const patterns = gauge(
    'copilot_log_pattern_count',
    'Narrative log pattern matches in the latest observation, by pattern and service.',
    ['pattern', 'service'],
  );
  for (const p of o?.log_patterns ?? []) {
    const labels = {
      pattern: sanitizeLabelValue(p.pattern),
      service: sanitizeLabelValue(p.service),
    };
    patterns.inc(labels, p.count);
  }
  const duration = gauge(
    'copilot_observation_duration_seconds',
    'How long the latest observation took to collect its signals.',
  );
  if (o !== null) duration.set(o.duration_ms / 1000);
  const age = gauge(
    'copilot_observation_age_seconds',
    'Seconds since the latest observation was written.',
  );
  if (current?.age_s != null) age.set(current.age_s);
  const absent = gauge(
    'copilot_signal_absent',
    'Signals the latest observation could not read: 1 per wire field.',
    ['field'],
  );
  for (const field of current?.snapshot?.signals.quality?.unavailable ?? []) {
    absent.set({ field: sanitizeLabelValue(field) }, 1);
  }
  const critical = gauge(
    'copilot_consecutive_critical',
    'Consecutive critical evaluations in the latest observation.',
  );
  if (o !== null) critical.set(o.consecutive_critical);
  return exposition(registry);
}
