/**
 * The scenario workflows. Deterministic code only: whether a workflow fails is decided by its
 * input (the load generator chooses it per start), never by anything read at run time.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';

import type { ScenarioActivities } from '../activities.js';

const { step } = proxyActivities<ScenarioActivities>({
  // Long enough for the slow-activities fault (seconds per step) plus waiting for a free slot;
  // one attempt is retried at most twice so a fault does not turn into an endless retry loop.
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export interface ScenarioWorkflowInput {
  /** Step activities, strictly one after another (one history update each). */
  readonly steps: number;
  /** Fail after the steps (an application failure: the workflow fails, it is not retried). */
  readonly fail: boolean;
}

/**
 * `steps` activities in sequence, then success or an injected failure. Sequential on purpose: each
 * completion is its own state transition, so throughput in state transitions follows the load.
 */
export async function scenarioWorkflow(input: ScenarioWorkflowInput): Promise<number> {
  if (!(Number.isInteger(input.steps) && input.steps >= 0 && input.steps <= 1_000)) {
    throw ApplicationFailure.nonRetryable(
      `steps must be 0–1000, got ${input.steps}`,
      FailureType.InvalidInput,
    );
  }
  for (let i = 0; i < input.steps; i++) await step({ index: i });
  if (input.fail) {
    throw ApplicationFailure.nonRetryable(
      'failure injected by the scenario',
      FailureType.ScenarioFault,
    );
  }
  return input.steps;
}
