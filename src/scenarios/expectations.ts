/** What the dev-profile and the distributed scenarios share: expectations, timings, waiting. */
import { setTimeout as delay } from 'node:timers/promises';

import { ErrorCode, HeadwayError } from '../errors.js';

import type { Expectation } from './types.js';

export const LOAD = { rate: 2, steps: 4 } as const;
export const WORKERS = { count: 1, workflowSlots: 20, activitySlots: 10 } as const;

/**
 * How long a dispatch stall takes to reach critical: the one-minute rate of dispatched tasks
 * falls under a tenth of the arrivals about 55 s after the last dispatch, then 90 s of critical
 * evaluations (consecutive_critical scaled to the cadence), then a cycle and the API's cache.
 */
export const STALL_CRITICAL_S = 210;

/** A recovery counts once it has lasted this long: one good cycle between bad ones is none. */
export const RECOVERY_HOLD_S = 20;

export const baselineHappy: Expectation = {
  id: 'baseline-happy',
  description: 'baseline: happy throughout (no false alarm before the fault)',
  mode: 'always',
  phases: ['baseline'],
  check: { type: 'state', states: ['happy'] },
};

/**
 * Happy again after the fault. It measures the recovery time only where the state left happy:
 * a copilot that never noticed the fault has nothing to recover from.
 */
export function recoversHappy(withinS: number, measures = true): Expectation {
  return {
    id: 'recovers-happy',
    description: `recovery: happy within ${withinS} s of the fault's removal, for ${RECOVERY_HOLD_S} s`,
    mode: 'eventually',
    phase: 'recovery',
    check: { type: 'state', states: ['happy'] },
    within_s: withinS,
    hold_s: RECOVERY_HOLD_S,
    ...(measures ? { measures: 'recovery' as const } : {}),
  };
}

export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await delay(500);
  }
  throw new HeadwayError(
    ErrorCode.ReadinessTimeout,
    `${what} did not happen within ${timeoutMs / 1_000} s`,
  );
}
