import {
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import {
  BackgroundTaskInputSchema,
  FireAndForgetInputSchema,
  SampleWorkflow,
  type BackgroundTaskInput,
  type BackgroundTaskResult,
  type FireAndForgetInput,
  type FireAndForgetResult,
} from '../types.js';

import { currentStateQuery, progressQuery } from './definitions.js';
import { activityOptions, parseInput } from './support.js';

/**
 * Starts a `backgroundTask` child and returns as soon as the server confirms the start. The child
 * is abandoned (parent-close policy ABANDON): it keeps running, and finishes, after its parent has
 * closed.
 */
export async function fireAndForgetWorkflow(raw: FireAndForgetInput): Promise<FireAndForgetResult> {
  const input = parseInput('fireAndForget', FireAndForgetInputSchema, raw);
  const { workflowId } = workflowInfo();
  let state = 'starting_child';
  setHandler(currentStateQuery, () => state);
  setHandler(progressQuery, () => ({
    state,
    done: state === 'done' ? 1 : 0,
    total: 1,
    message: state === 'done' ? 'child started and abandoned' : 'starting the child',
  }));
  const child = await startChild<typeof backgroundTaskWorkflow>(SampleWorkflow.backgroundTask, {
    workflowId: `${workflowId}.background`,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
    args: [
      {
        delayMs: input.childDelayMs,
        message: input.message,
        parentWorkflowId: workflowId,
        activity: input.activity,
      },
    ],
  });
  state = 'done';
  return { childWorkflowId: child.workflowId, childRunId: child.firstExecutionRunId };
}

/** The forgotten child: waits, then records that it ran. */
export async function backgroundTaskWorkflow(
  raw: BackgroundTaskInput,
): Promise<BackgroundTaskResult> {
  const input = parseInput('backgroundTask', BackgroundTaskInputSchema, raw);
  const { recordCompletion } = proxyActivities<SampleActivities>(activityOptions(input.activity));
  let state = 'waiting';
  setHandler(currentStateQuery, () => state);
  setHandler(progressQuery, () => ({
    state,
    done: state === 'done' ? 1 : 0,
    total: 1,
    message: `background task: ${state}`,
  }));
  await sleep(input.delayMs);
  state = 'recording';
  const result = await recordCompletion({
    message: input.message,
    parentWorkflowId: input.parentWorkflowId,
  });
  state = 'done';
  return result;
}
