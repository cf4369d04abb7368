import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PipelineInput, SubTaskResult } from '../../src/samples/types.js';
import type { pipelineWorkflow } from '../../src/samples/workflows/pipeline.js';
import { startSampleEnv, statusOf, type SampleEnv } from '../helpers/sample-worker.js';

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv();
});
afterAll(async () => {
  await env?.stop();
});

let seq = 0;
function start(input: PipelineInput) {
  return env.client.workflow.start<typeof pipelineWorkflow>('pipeline', {
    taskQueue: env.taskQueue,
    workflowId: `pipeline-${++seq}-${Date.now()}`,
    args: [input],
  });
}

function leaves(node: SubTaskResult): SubTaskResult[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leaves);
}

function applicationFailure(err: unknown): ApplicationFailure {
  let cause: unknown = err;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('pipeline sample: issue → analyze → subTask tree → checks → pull request', () => {
  it('decomposes recursively down to maxDepth, runs each subtask as a child workflow, opens the PR', async () => {
    const handle = await start({
      issue: { title: 'T', body: 'login fails on Safari', complexity: 8 },
      decomposeAbove: 2,
      maxDepth: 2,
    });
    const result = await handle.result();
    // 8 → 4 + 4 (depth 1) → 2 + 2 each (depth 2); depth 2 is the bound, so no further split.
    expect(result.depth).toBe(2);
    expect(result.leaves).toBe(4);
    expect(leaves(result.tree).map((l) => [l.title, l.depth, l.complexity])).toEqual([
      ['T.1.1', 2, 2],
      ['T.1.2', 2, 2],
      ['T.2.1', 2, 2],
      ['T.2.2', 2, 2],
    ]);
    expect(result.analysis).toContain('complexity 8, 4 word(s)');
    expect(result.checksPassed).toBe(true);
    expect(result.pullRequest?.title).toBe('Fix: T');
    expect(result.pullRequest?.body).toContain('    - T.2.2: implemented T.2.2');
    for (const id of ['.task', '.task.1', '.task.2', '.task.1.1', '.task.2.2']) {
      expect(await statusOf(env.client, `${handle.workflowId}${id}`)).toBe('COMPLETED');
    }
    expect(await handle.query('currentState')).toBe('done');
    expect(await handle.query('progress')).toMatchObject({ state: 'done', done: 4, total: 4 });
  });

  it('bounds the depth even for a very large task', async () => {
    const result = await (
      await start({ issue: { title: 'Big', complexity: 64 }, decomposeAbove: 1, maxDepth: 1 })
    ).result();
    expect(result.depth).toBe(1);
    expect(leaves(result.tree).map((l) => l.complexity)).toEqual([32, 32]);
  });

  it('implements leaves with workLoop children when a step is given; failing checks open no PR', async () => {
    const passing = await start({
      issue: { title: 'P', complexity: 2 },
      decomposeAbove: 1,
      maxDepth: 1,
      step: 'pass',
    });
    const ok = await passing.result();
    expect(leaves(ok.tree).map((l) => l.summary)).toEqual([
      'work loop passed after 1 iteration(s)',
      'work loop passed after 1 iteration(s)',
    ]);
    expect(await statusOf(env.client, `${passing.workflowId}.task.1.loop`)).toBe('COMPLETED');
    expect(ok.pullRequest).not.toBeNull();

    const failing = await (
      await start({ issue: { title: 'F', complexity: 1 }, step: 'fail', maxIterations: 2 })
    ).result();
    expect(failing.tree.summary).toBe('work loop max_iterations after 2 iteration(s)');
    expect(failing.checksPassed).toBe(false);
    expect(failing.pullRequest).toBeNull();
  });

  it('a failing subtask fails the pipeline with SUBTASK_FAILED naming the task', async () => {
    const handle = await start({
      issue: { title: 'X', complexity: 4 },
      decomposeAbove: 2,
      maxDepth: 1,
      failTask: 'X.2',
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failure = applicationFailure(err);
    expect(failure.type).toBe('SUBTASK_FAILED');
    expect(failure.message).toContain('implementing "X.2" failed');
    expect(await handle.query('currentState')).toBe('failed');
    expect(await statusOf(env.client, `${handle.workflowId}.task.2`)).toBe('FAILED');
  });

  it('rejects bad input with INVALID_INPUT', async () => {
    const handle = await start({ issue: { title: '' }, maxDepth: 9 });
    const failure = applicationFailure(await handle.result().catch((e: unknown) => e));
    expect(failure.type).toBe('INVALID_INPUT');
    expect(failure.message).toContain('issue.title');
    expect(failure.message).toContain('maxDepth');
    expect(failure.nonRetryable).toBe(true);
  });
});
