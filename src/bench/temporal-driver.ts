/**
 * The generator's Temporal side: starts (retrying what the server throttles), completions from
 * the CompletionTracker (the server's outcome and close time), and the classification of whatever
 * did not complete.
 */
import { randomUUID } from 'node:crypto';

import type { Client } from '@temporalio/client';
import { toPayloads } from '@temporalio/common';
import proto, { type temporal } from '@temporalio/proto';

import { classifyError } from '../load/classify-error.js';
import type { Outcome, ServerCompletion, WorkflowDriver } from '../load/generator.js';
import { GRPC, grpcCode } from '../temporal/grpc.js';

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

/**
 * Starts go to the client's `StartWorkflowExecution` as one request made once, with only the id
 * and request id new each time: the arguments are the same for every workflow of a run, and the
 * client's `workflow.start` would encode them again, run its interceptor chain and build a handle
 * (a dozen closures) the bench never uses: 5 % of the generator's main thread and some 15 % of
 * what it allocates at 50/s (docs/bench.md, "Twelfth round"). The request is the one the client
 * builds for these options (its namespace, identity and data converter; the bench has no payload
 * codec).
 */
function startRequest(
  client: StartClient,
  spec: DriverSpec,
): Omit<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest, 'workflowId'> {
  const { namespace, identity, loadedDataConverter } = client.options;
  return {
    namespace,
    identity,
    workflowType: { name: spec.name },
    taskQueue: {
      kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      name: spec.taskQueue,
    },
    input: { payloads: toPayloads(loadedDataConverter.payloadConverter, ...spec.args) ?? [] },
    header: { fields: {} },
    ...(spec.eagerStart === true ? { requestEagerExecution: true } : {}),
  };
}

/** What the driver needs of a client: its options and its workflow service. */
export type StartClient = Pick<Client, 'options' | 'workflowService'>;

export function temporalDriver(
  client: StartClient,
  tracker: CompletionTracker,
  spec: DriverSpec,
): WorkflowDriver {
  const request = startRequest(client, spec);
  const service = client.workflowService;
  return {
    async start(index) {
      const workflowId = `${spec.idPrefix}${index}`;
      // One request id for every try: a retry of a start the server did accept is the same start.
      const requestId = randomUUID();
      let retried = false;
      try {
        await retryThrottled(
          () => service.startWorkflowExecution({ ...request, workflowId, requestId }),
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
        if (!(retried && grpcCode(err) === GRPC.ALREADY_EXISTS)) throw err;
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
