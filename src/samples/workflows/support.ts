import { ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
import type { z } from 'zod';

import { SampleFailure, inputProblems, type ActivityDefaults } from '../types.js';

/**
 * Validates a workflow input. Bad input is the caller's mistake and will not improve on retry, so
 * it fails the workflow with a non-retryable INVALID_INPUT failure listing every problem.
 */
export function parseInput<S extends z.ZodType>(
  workflow: string,
  schema: S,
  raw: unknown,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: SampleFailure.InvalidInput,
      message: `invalid input for ${workflow}: ${inputProblems(parsed.error).join('; ')}`,
      nonRetryable: true,
    });
  }
  return parsed.data;
}

/** Activity options from the defaults carried in the input. */
export function activityOptions(
  defaults: ActivityDefaults,
  nonRetryableErrorTypes: string[] = [],
): ActivityOptions {
  return {
    startToCloseTimeout: defaults.startToCloseTimeoutMs,
    scheduleToCloseTimeout: defaults.scheduleToCloseTimeoutMs,
    heartbeatTimeout: defaults.heartbeatTimeoutMs,
    retry: {
      initialInterval: defaults.retry.initialIntervalMs,
      backoffCoefficient: defaults.retry.backoffCoefficient,
      maximumInterval: defaults.retry.maximumIntervalMs,
      maximumAttempts: defaults.retry.maximumAttempts,
      nonRetryableErrorTypes: [
        SampleFailure.InvalidInput,
        SampleFailure.UnknownStep,
        ...nonRetryableErrorTypes,
      ],
    },
  };
}

/** The innermost message of a failure chain (child → activity → application failure). */
export function rootMessage(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 10 && e instanceof Error && e.cause instanceof Error; depth++) {
    e = e.cause;
  }
  return e instanceof Error ? e.message : String(e);
}
