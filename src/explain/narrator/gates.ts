import type { Gate } from '../../health/types.js';

import { shortField } from './fields.js';
import { GATE_STORIES } from './gate-stories.js';
import { withUnit } from './text.js';

/** How grave a gate is: critical before stressed before healthy. */
export const kindRank = (g: Gate): number =>
  g.kind === 'critical' ? 2 : g.kind === 'stressed' ? 1 : 0;

/** How far past (> 1) or short of (< 1) its threshold a gate's observation is. */
export function ratioOf(g: Gate): number {
  const x = g.observed;
  if (x === null) return 0;
  if (g.condition.startsWith('<')) {
    if (x <= 0) return g.threshold > 0 ? Number.POSITIVE_INFINITY : 0;
    return g.threshold / x;
  }
  if (g.threshold <= 0) return x > 0 ? Number.POSITIVE_INFINITY : 0;
  return x / g.threshold;
}

/** 0 at the threshold, approaching 1 far past it. */
export const pastness = (r: number): number =>
  Number.isFinite(r) ? Math.max(0, 1 - 1 / Math.max(r, 1)) : 1;

/** A gate in a few words: its subject, the value and the limit. */
export function gateFactorText(g: Gate): string {
  const story = GATE_STORIES[g.id];
  const observed = g.observed === null ? 'absent' : withUnit(g.observed, story?.unit ?? '');
  const direction = g.condition.startsWith('<') ? 'below' : 'above';
  return `${story?.subject ?? shortField(g.signal)} ${observed} (${g.kind} ${direction} ${withUnit(g.threshold, story?.unit ?? '')})`;
}
