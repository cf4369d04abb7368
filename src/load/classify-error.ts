import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';

import { errorMessage } from '../errors.js';

import type { Outcome } from './generator.js';

/** Maps an SDK error to an outcome; each is counted on its own and none as a success. */
export function classifyError(
  err: unknown,
  phase: 'start' | 'result',
): Exclude<Outcome, 'completed'> {
  if (isClientShutdown(err)) return 'client_shutdown';
  if (phase === 'start') return 'start_error';
  if (err instanceof WorkflowFailedError) {
    if (err.cause instanceof TimeoutFailure) return 'timed_out';
    if (err.cause instanceof TerminatedFailure) return 'terminated';
    if (err.cause instanceof CancelledFailure) return 'canceled';
    return 'failed';
  }
  return 'result_error';
}

function isClientShutdown(err: unknown): boolean {
  return /client connection is closing|channel has been shut down|Channel closed|connection closed|aborted/i.test(
    errorMessage(err),
  );
}
