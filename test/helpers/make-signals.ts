import { SIGNAL } from '../../src/model/signal-fields.js';
import type { DataQuality, SignalValue, Signals } from '../../src/model/signals.js';

/** The primary signals of a healthy, loaded cluster: what the state machine reads. */
const HEALTHY = {
  throughput: 20,
  transitionLatencyP99: 50,
  success: 2,
  failed: 0,
  completionRate: 1,
  historyBacklog: 1,
  processing: 50,
  shardChurn: 0,
  restarts: 0,
  frontendErrors: 0,
  frontendP99: 100,
  matchingWorkflowBacklog: 0,
  matchingActivityBacklog: 0,
  pollTimeoutRate: 0.05,
  tasksAdded: 6,
  dispatchRatio: 1,
  persistenceP99: 20,
  persistenceErrors: 0,
  deletion: 0,
  cleanup: 0,
} as const;

export type FieldKey = keyof typeof HEALTHY;

/**
 * Signals of a healthy, loaded cluster, with the given fields replaced. Shared by the health
 * tests and the benchmark; not used at run time.
 */
export function makeSignals(
  values: Partial<Record<FieldKey, SignalValue>> = {},
  extra: { quality?: DataQuality; worker?: Record<string, SignalValue>; timestamp?: string } = {},
): Signals {
  const merged: Record<FieldKey, SignalValue> = { ...HEALTHY, ...values };
  const primary: Record<string, Record<string, SignalValue>> = {};
  for (const key of Object.keys(HEALTHY) as FieldKey[]) {
    const [section, field] = SIGNAL[key].id.split('.');
    (primary[section!] ??= {})[field!] = merged[key];
  }
  return {
    timestamp: extra.timestamp ?? '2026-11-22T00:00:00.000Z',
    primary_signals: primary,
    ...(extra.worker === undefined ? {} : { worker_signals: extra.worker }),
    ...(extra.quality === undefined ? {} : { quality: extra.quality }),
  };
}
