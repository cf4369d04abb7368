import type { HealthState } from '../health/types.js';

import type { CurrentState } from './view.js';

/**
 * `GET /metrics` in the Prometheus text exposition format 0.0.4, written by hand: a handful of
 * gauges does not justify a client library.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STATES: readonly HealthState[] = ['happy', 'stressed', 'critical', 'unknown'];

/**
 * A label value, escaped as the format requires (backslash, double quote, line feed). Pattern and
 * service names come from log lines, so they are untrusted: other control characters are replaced
 * too, since a raw carriage return splits the line for some parsers.
 */
export function escapeLabelValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else {
      const code = ch.charCodeAt(0);
      out += code < 0x20 || code === 0x7f ? ' ' : ch;
    }
  }
  return out;
}

function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(x);
}

function labels(pairs: Readonly<Record<string, string>>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

class Exposition {
  readonly #lines: string[] = [];

  gauge(name: string, help: string, samples: readonly [Record<string, string>, number][]): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of samples) this.#lines.push(`${name}${labels(l)} ${formatValue(v)}`);
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/**
 * The exposition for the current state. `current` is undefined when the store could not be read:
 * the scrape still succeeds (with `copilot_store_up 0` and the state unknown) so an alert can tell
 * "the copilot cannot read its store" from "the copilot is gone".
 */
export function renderMetrics(current: CurrentState | undefined): string {
  const out = new Exposition();
  const state = current?.health_state ?? 'unknown';
  const o = current?.observation ?? null;
  out.gauge('copilot_store_up', 'Whether the API could read the assessment store (1) or not (0).', [
    [{}, current === undefined ? 0 : 1],
  ]);
  out.gauge(
    'copilot_health_state',
    'Current health state of the monitored cluster: 1 for the current state, 0 for the others.',
    STATES.map((s) => [{ state: s }, s === state ? 1 : 0]),
  );

  // Two entries for the same pattern and service would be a duplicate series, which Prometheus
  // rejects with the whole scrape.
  const patterns = new Map<string, [Record<string, string>, number]>();
  for (const p of o?.log_patterns ?? []) {
    const key = JSON.stringify([p.pattern, p.service]);
    const entry = patterns.get(key);
    if (entry === undefined)
      patterns.set(key, [{ pattern: p.pattern, service: p.service }, p.count]);
    else entry[1] += p.count;
  }
  out.gauge(
    'copilot_log_pattern_count',
    'Narrative log pattern matches in the latest observation, by pattern and service.',
    [...patterns.values()],
  );
  out.gauge(
    'copilot_observation_duration_seconds',
    'How long the latest observation took to collect its signals.',
    o === null ? [] : [[{}, o.duration_ms / 1000]],
  );
  out.gauge(
    'copilot_observation_age_seconds',
    'Seconds since the latest observation was written.',
    current?.age_s == null ? [] : [[{}, current.age_s]],
  );
  const absent = current?.snapshot?.signals.quality?.unavailable ?? [];
  out.gauge(
    'copilot_signal_absent',
    'Signals the latest observation could not read: 1 per wire field.',
    [...new Set(absent)].map((field) => [{ field }, 1]),
  );
  out.gauge(
    'copilot_consecutive_critical',
    'Consecutive critical evaluations in the latest observation.',
    o === null ? [] : [[{}, o.consecutive_critical]],
  );
  return out.toString();
}
