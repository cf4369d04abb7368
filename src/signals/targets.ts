import type { TargetState } from '../health/types.js';

import type { QueryOutcome } from './prometheus-client.js';

/** Labels that name a target's Temporal service, most specific first. */
const SERVICE_LABELS = ['temporal_service', 'app_kubernetes_io_component'] as const;
/** Labels that name a target's instance, most specific first. */
const INSTANCE_LABELS = ['temporal_instance', 'pod', 'instance'] as const;
/** A Prometheus with thousands of matching targets is a selector mistake, not a cluster. */
const MAX_TARGETS = 256;
const MAX_LABEL = 64;

export interface TargetReading {
  /** Every target up (null: there is none, or Prometheus did not answer). */
  readonly up: boolean | null;
  /** At least one target up: its series are live, so a lazy counter's absence means "none yet". */
  readonly anyUp: boolean;
  /** Per target, when the series name their service; undefined otherwise. */
  readonly targets: readonly TargetState[] | undefined;
}

/** Reads `up{selector}`: whether every target is up, and which service each one is. */
export function readTargets(outcome: QueryOutcome | undefined): TargetReading {
  if (outcome?.ok !== true || outcome.samples.length === 0) {
    return { up: null, anyUp: false, targets: undefined };
  }
  const up = outcome.samples.every((s) => s.value === 1);
  const anyUp = outcome.samples.some((s) => s.value === 1);
  const named: TargetState[] = [];
  for (const sample of outcome.samples.slice(0, MAX_TARGETS)) {
    const service = pick(sample.metric, SERVICE_LABELS);
    if (service === undefined) return { up, anyUp, targets: undefined };
    named.push({
      service,
      instance: pick(sample.metric, INSTANCE_LABELS) ?? service,
      up: sample.value === 1,
    });
  }
  named.sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
  return { up, anyUp, targets: named };
}

// Label values are untrusted text: printable, bounded.
function pick(
  labels: Readonly<Record<string, string>>,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') {
      // eslint-disable-next-line no-control-regex
      return value.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, MAX_LABEL);
    }
  }
  return undefined;
}
