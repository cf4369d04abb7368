import { FIELD, type SignalField } from '../model/signal-fields.js';

import { readSignal } from './evaluate.js';
import type { Signals } from './types.js';

export type Trend = 'improving' | 'stable' | 'worsening' | 'unknown';

export interface SignalTrend {
  readonly signal: SignalField;
  readonly trend: Trend;
  readonly first: number | null;
  readonly last: number | null;
  /** Relative change from the first third of the window to the last third. */
  readonly change: number | null;
}

/** Which direction is good for each tracked signal. */
const TRACKED: readonly { field: SignalField; higherIsBetter: boolean }[] = [
  { field: FIELD.throughput, higherIsBetter: true },
  { field: FIELD.completionRate, higherIsBetter: true },
  { field: FIELD.historyBacklog, higherIsBetter: false },
  { field: FIELD.persistenceP99, higherIsBetter: false },
  { field: FIELD.persistenceErrors, higherIsBetter: false },
  { field: FIELD.frontendP99, higherIsBetter: false },
  { field: FIELD.matchingWorkflowBacklog, higherIsBetter: false },
];

/**
 * Trend of each tracked signal over a window of observations (oldest first): the mean of the last
 * third against the mean of the first third. Changes under `tolerance` (relative) are stable; so
 * are absolute changes under `floor`, so noise around zero is not a trend.
 */
export function trends(window: readonly Signals[], tolerance = 0.1, floor = 0.5): SignalTrend[] {
  return TRACKED.map(({ field, higherIsBetter }) => {
    const values = window.map((s) => readSignal(s, field)).filter((x): x is number => x !== null);
    if (values.length < 3)
      return { signal: field, trend: 'unknown' as const, first: null, last: null, change: null };
    const third = Math.max(1, Math.floor(values.length / 3));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(values.slice(0, third));
    const last = mean(values.slice(-third));
    const delta = last - first;
    const change = first === 0 ? (last === 0 ? 0 : Math.sign(last)) : delta / Math.abs(first);
    let trend: Trend = 'stable';
    if (Math.abs(change) > tolerance && Math.abs(delta) > floor) {
      trend = delta > 0 === higherIsBetter ? 'improving' : 'worsening';
    }
    return { signal: field, trend, first, last, change };
  });
}

/** One word for the whole window: worsening if anything worsens, improving if anything improves. */
export function overallTrend(items: readonly SignalTrend[]): Trend {
  if (items.every((t) => t.trend === 'unknown')) return 'unknown';
  if (items.some((t) => t.trend === 'worsening')) return 'worsening';
  if (items.some((t) => t.trend === 'improving')) return 'improving';
  return 'stable';
}
