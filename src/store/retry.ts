import { setTimeout as delay } from 'node:timers/promises';

import { sqlStateOf } from './driver.js';

/**
 * SQLSTATEs that mean "another transaction won; run yours again": PostgreSQL's serialization
 * failure, and Aurora DSQL's optimistic-concurrency conflicts on data (OC000) and schema (OC001).
 */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', 'OC000', 'OC001']);

export interface OccRetryOptions {
  /** Total tries, the first included. */
  readonly attempts?: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** A number in [0, 1); injectable for tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function isOccConflict(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

/** The wait before retry `n` (1-based): full jitter over a capped exponential. */
export function backoffMs(n: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (n - 1));
  return Math.floor(random() * cap);
}

/**
 * Runs `fn`, running it again when it fails with an optimistic-concurrency conflict, at most
 * `attempts` times in all. Any other error propagates at once; the last conflict propagates when
 * the attempts run out. `fn` must be safe to run again (a whole transaction, not part of one).
 */
export async function withOccRetry<T>(
  fn: () => Promise<T>,
  options: OccRetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseMs = options.baseMs ?? 50;
  const maxMs = options.maxMs ?? 2000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isOccConflict(err)) throw err;
      await sleep(backoffMs(attempt, baseMs, maxMs, random));
    }
  }
}
