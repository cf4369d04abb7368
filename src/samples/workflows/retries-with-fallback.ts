import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import {
  RetriesWithFallbackInputSchema,
  SampleFailure,
  type FallbackReason,
  type RetriesWithFallbackInput,
  type RetriesWithFallbackResult,
} from '../types.js';

import { currentStateQuery, progressQuery } from './definitions.js';
import { activityOptions, parseInput } from './support.js';

/**
 * Error handling by failure type: a retryable failure is retried with backoff (the retry policy);
 * a non-retryable failure, a timeout, or retries running out go to the fallback. Anything else
 * (cancellation) propagates.
 */
export async function retriesWithFallbackWorkflow(
  raw: RetriesWithFallbackInput,
): Promise<RetriesWithFallbackResult> {
  const input = parseInput('retriesWithFallback', RetriesWithFallbackInputSchema, raw);
  const base = activityOptions(input.activity, [SampleFailure.Permanent]);
  // The primary call does not heartbeat: each attempt is bounded by its start-to-close timeout.
  const { callPrimary } = proxyActivities<SampleActivities>({
    ...base,
    startToCloseTimeout: input.attemptTimeoutMs,
    heartbeatTimeout: undefined,
  });
  const { callFallback } = proxyActivities<SampleActivities>(base);

  let state = 'primary';
  setHandler(currentStateQuery, () => state);
  setHandler(progressQuery, () => ({
    state,
    done: state === 'done' ? 1 : 0,
    total: 1,
    message: state === 'primary' ? 'calling the primary' : state,
  }));

  let reason: FallbackReason;
  let primaryError: { type: string; message: string };
  try {
    const primary = await callPrimary({
      failures: input.failures,
      attemptTimeoutMs: input.attemptTimeoutMs,
    });
    state = 'done';
    return {
      source: 'primary',
      value: primary.value,
      attempts: primary.attempt,
      fallbackReason: null,
      primaryError: null,
    };
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    if (cause instanceof TimeoutFailure) {
      reason = 'timeout';
      primaryError = { type: 'TIMEOUT', message: cause.message };
    } else if (cause instanceof ApplicationFailure) {
      reason =
        cause.nonRetryable || cause.type === SampleFailure.Permanent
          ? 'non_retryable'
          : 'retries_exhausted';
      primaryError = { type: cause.type ?? 'Error', message: cause.message };
    } else {
      throw err;
    }
  }
  state = `fallback (${reason})`;
  const fallback = await callFallback({ reason });
  state = 'done';
  return {
    source: 'fallback',
    value: fallback.value,
    attempts: null,
    fallbackReason: reason,
    primaryError,
  };
}
