import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  backgroundTaskWorkflow,
  fireAndForgetWorkflow,
} from '../../src/samples/workflows/fire-and-forget.js';
import { startSampleEnv, statusOf, type SampleEnv } from '../helpers/sample-worker.js';

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('fireAndForget sample: a child that outlives its parent', () => {
  it('the parent completes at once; the abandoned child keeps running and completes later', async () => {
    const parentId = `fire-${Date.now()}`;
    const parent = await env.client.workflow.start<typeof fireAndForgetWorkflow>('fireAndForget', {
      taskQueue: env.taskQueue,
      workflowId: parentId,
      args: [{ childDelayMs: 2_000, message: 'done later' }],
    });
    const { childWorkflowId, childRunId } = await parent.result();
    expect(childWorkflowId).toBe(`${parentId}.background`);

    const parentClosed = (await parent.describe()).closeTime!;
    expect(await statusOf(env.client, parentId)).toBe('COMPLETED');
    // The parent has closed; ABANDON means the child was neither terminated nor cancelled.
    expect(await statusOf(env.client, childWorkflowId)).toBe('RUNNING');
    expect(await parent.query('currentState')).toBe('done');

    const child = env.client.workflow.getHandle<typeof backgroundTaskWorkflow>(
      childWorkflowId,
      childRunId,
    );
    expect(await child.result()).toMatchObject({
      parentWorkflowId: parentId,
      message: 'done later',
    });
    const childDescription = await child.describe();
    expect(childDescription.status.name).toBe('COMPLETED');
    expect(childDescription.closeTime!.getTime()).toBeGreaterThan(parentClosed.getTime());
    expect(childDescription.parentExecution?.workflowId).toBe(parentId);
    expect(await child.query('currentState')).toBe('done');
  });

  it('rejects bad input with INVALID_INPUT and starts no child', async () => {
    const parentId = `fire-bad-${Date.now()}`;
    const parent = await env.client.workflow.start('fireAndForget', {
      taskQueue: env.taskQueue,
      workflowId: parentId,
      args: [{ childDelayMs: -1 }],
    });
    let cause: unknown = await parent.result().catch((e: unknown) => e);
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    expect((cause as ApplicationFailure).type).toBe('INVALID_INPUT');
    expect((cause as ApplicationFailure).message).toContain('childDelayMs');
    const child = await env.client.workflow
      .getHandle(`${parentId}.background`)
      .describe()
      .catch((e: unknown) => e);
    expect(child).toBeInstanceOf(WorkflowNotFoundError);
  });
});
