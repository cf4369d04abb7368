/**
 * The generator's Temporal side: starts through the client (retrying what the server throttles),
 * completions from the CompletionTracker (the server's outcome and close time), and the
 * classification of whatever did not complete.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';

import { classifyError } from '../load/classify-error.js';
import type { Outcome, ServerCompletion, WorkflowDriver } from '../load/generator.js';

import {
  OutcomeUnknownError,
  StillRunningError,
  type ClosedStatus,
  type CompletionTracker,
} from './completion-tracker.js';
import { retryThrottled } from './throttle.js';

export interface DriverSpec {
  readonly name: string;
  readonly args: unknown[];
  readonly taskQueue: string;
  /** Workflow ids are `<idPrefix><index>`; the tracker lists by this prefix. */
  readonly idPrefix: string;
  /** Ask the server for eager execution (the client must share an in-process worker's connection). */
  readonly eagerStart?: boolean;
  /** Called for every start the server throttled and the driver sent again. */
  readonly onStartRetry?: (err: unknown) => void;
}

/** The server closed the workflow some other way than completing. */
export class WorkflowClosedError extends Error {
  readonly status: Exclude<ClosedStatus, 'completed'>;
  constructor(workflowId: string, status: Exclude<ClosedStatus, 'completed'>) {
    super(`workflow ${workflowId} closed as ${status}`);
    this.name = 'WorkflowClosedError';
    this.status = status;
  }
}

const CLOSED_OUTCOME: Record<Exclude<ClosedStatus, 'completed'>, Exclude<Outcome, 'completed'>> = {
  failed: 'failed',
  timed_out: 'timed_out',
  terminated: 'terminated',
  canceled: 'canceled',
  // The bench workflows never continue as new; if one did, it did not complete what was asked.
  continued_as_new: 'failed',
};

/** Throttled starts are sent again for about half a minute before they count as start errors. */
const START_ATTEMPTS = 10;

export function temporalDriver(
  client: Client,
  tracker: CompletionTracker,
  spec: DriverSpec,
): WorkflowDriver {
  return {
    async start(index) {
      const workflowId = `${spec.idPrefix}${index}`;
      let retried = false;
      try {
        await retryThrottled(
          () =>
            client.workflow.start(spec.name, {
              taskQueue: spec.taskQueue,
              workflowId,
              args: spec.args,
              ...(spec.eagerStart === true ? { requestEagerStart: true } : {}),
            }),
          {
            attempts: START_ATTEMPTS,
            onRetry: (err) => {
              retried = true;
              spec.onStartRetry?.(err);
            },
          },
        );
      } catch (err) {
        // A retry of a start the server did accept (its answer was lost) finds it started: the
        // ids are this run's own, so that is this start, not someone else's workflow.
        if (!(retried && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const closed = tracker.wait(workflowId);
      return {
        result: async (): Promise<ServerCompletion> => {
          const c = await closed;
          if (c.status !== 'completed') throw new WorkflowClosedError(workflowId, c.status);
          return { closedAtEpochMs: c.closeTimeMs };
        },
      };
    },
    classify(err, phase) {
      if (err instanceof WorkflowClosedError) return CLOSED_OUTCOME[err.status];
      if (err instanceof StillRunningError) return 'completion_timeout';
      if (err instanceof OutcomeUnknownError) return 'outcome_unknown';
      return classifyError(err, phase);
    },
    finalCheck: () => tracker.finalCheck(),
  };
}
