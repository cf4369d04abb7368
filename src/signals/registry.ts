/**
 * The signal registry: how Headway collects every signal of the vocabulary (`model/`): one entry
 * per `SignalField` with its reference number, meaning, role and PromQL. Counts, tables and docs are
 * derived from this list, never from prose. The entries live in one file per group.
 */
import { GROUP_FIELD, type SignalGroup } from '../model/signal-fields.js';

import { sel } from './promql.js';
import { AMPLIFIERS } from './registry-amplifiers.js';
import { PRIMARY } from './registry-primary.js';
import { WORKER } from './registry-worker.js';
import type { SignalDef } from './signal-def.js';

export { GROUP_FIELD };
export type { SignalGroup };
export type {
  MetricNaming,
  QueryContext,
  SignalDef,
  SignalRole,
  SignalSource,
} from './signal-def.js';

/** The full wire path as a string (typed code reads `def.field`, a `SignalField`). */
export function fieldOf(def: Pick<SignalDef, 'field'>): string {
  return def.field;
}

export const SIGNALS: readonly SignalDef[] = Object.freeze([...PRIMARY, ...AMPLIFIERS, ...WORKER]);

export function signalsOf(group: SignalGroup): SignalDef[] {
  return SIGNALS.filter((s) => s.group === group);
}

/** The query Headway uses to tell tally from OpenTelemetry naming on the scraped server. */
export function namingProbeQuery(server: string): string {
  return `count by (__name__) (${sel('__name__=~"service_requests|service_requests_total"', server)})`;
}

/**
 * Every scrape target of the monitored server with its `up`, and the age of its last scrape.
 * Each target, not `min(up)`: a cluster is several targets (frontend, history, matching, worker
 * instances), and which one is gone decides between "matching is down" and "nothing is seen".
 */
export function targetQueries(server: string): { up: string; age: string } {
  return { up: `up${sel(server)}`, age: `time() - max(timestamp(up${sel(server)}))` };
}
