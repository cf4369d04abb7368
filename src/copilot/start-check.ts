import { Client, Connection } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';

import { copilotConnection } from './service.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;

/** A running copilot workflow whose workflow task fails on nondeterminism at every retry. */
export interface StuckRun {
  readonly workflowId: string;
  readonly runId: string;
  /** The failure's message, as the worker reported it. */
  readonly failure: string;
}

/**
 * The nondeterminism failure a run is stuck on, read from its latest events (newest first), or
 * undefined. A failing task is retried without new events, so the last workflow-task outcome in
 * the history is the one that counts: a completed task after a failure means the run moved on.
 */
export function nondeterminismFailure(newestFirst: readonly HistoryEvent[]): string | undefined {
  for (const event of newestFirst) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return undefined;
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const failed = event.workflowTaskFailedEventAttributes;
      return failed?.cause ===
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR
        ? (failed.failure?.message ?? 'nondeterminism error')
        : undefined;
    }
  }
  return undefined;
}

/** Which of the given workflows are running but stuck on a nondeterminism error. */
export async function findStuckRuns(
  client: Client,
  workflowIds: readonly string[],
): Promise<StuckRun[]> {
  const stuck: StuckRun[] = [];
  for (const workflowId of workflowIds) {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') continue;
    const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId: description.runId },
      maximumPageSize: 50,
    });
    const failure = nondeterminismFailure(history?.events ?? []);
    if (failure !== undefined) stuck.push({ workflowId, runId: description.runId, failure });
  }
  return stuck;
}

/** The error `headway copilot start` ends with: which runs are stuck and how to reset them. */
export function stuckRunsError(
  stuck: readonly StuckRun[],
  at: { readonly address: string; readonly namespace: string },
): HeadwayError {
  const ids = stuck.map((s) => s.workflowId);
  return new HeadwayError(
    ErrorCode.Internal,
    `copilot workflow${ids.length === 1 ? '' : 's'} ${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} stuck: ` +
      'the workflow task fails on a nondeterminism error (a workflow change this history cannot replay)',
    {
      details: stuck.flatMap((s) => [
        `${s.workflowId} (run ${s.runId}): ${s.failure.slice(0, 300)}`,
        `  reset: temporal workflow reset --address ${at.address} --namespace ${at.namespace} --workflow-id ${s.workflowId} --type LastContinuedAsNew --reason "headway upgrade"`,
      ]),
      hint:
        'reset each run as shown (it restarts from its last continue-as-new), or ' +
        '`temporal workflow terminate --workflow-id ID` and run `headway copilot start` again',
    },
  );
}

/**
 * Ends `headway copilot start` with a clear error when a copilot workflow it found running is
 * stuck: use-existing keeps the run, and a stuck run never observes again.
 */
export async function assertNoStuckRuns(
  config: HeadwayConfig,
  workflowIds: readonly string[],
): Promise<void> {
  const { address, namespace } = copilotConnection(config);
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  try {
    const stuck = await findStuckRuns(new Client({ connection, namespace }), workflowIds);
    if (stuck.length > 0) throw stuckRunsError(stuck, { address, namespace });
  } finally {
    await connection.close();
  }
}
