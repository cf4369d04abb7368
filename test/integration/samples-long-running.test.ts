import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SampleProgress } from '../../src/samples/types.js';
import type { longRunningWorkflow } from '../../src/samples/workflows/long-running.js';
import { queryUntil, startSampleEnv, statusOf, type SampleEnv } from '../helpers/sample-worker.js';

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv();
});
afterAll(async () => {
  await env?.stop();
});

async function runIds(workflowId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    ids.push(w.runId);
  }
  return ids;
}

describe('longRunning sample: continue-as-new carrying its state', () => {
  it('continues as new every N iterations and carries iteration, total and run number', async () => {
    const workflowId = `long-${Date.now()}`;
    const handle = await env.client.workflow.start<typeof longRunningWorkflow>('longRunning', {
      taskQueue: env.taskQueue,
      workflowId,
      args: [{ maxIterations: 7, continueAsNewEvery: 3, intervalMs: 0 }],
    });
    const firstRunId = handle.firstExecutionRunId;
    // result() follows the chain of runs to the last one.
    const result = await handle.result();
    // tick returns the iteration number, so the carried total is 1 + 2 + … + 7.
    expect(result).toEqual({ iterations: 7, total: 28, runs: 3, stoppedBySignal: false });

    expect(await statusOf(env.client, workflowId, firstRunId)).toBe('CONTINUED_AS_NEW');
    const last = await env.client.workflow.getHandle(workflowId).describe();
    expect(last.runId).not.toBe(firstRunId);
    expect(last.status.name).toBe('COMPLETED');
    // Queries go to the latest run, which holds the carried count.
    expect(await env.client.workflow.getHandle(workflowId).query('iterationCount')).toBe(7);
    expect(new Set(await runIds(workflowId)).size).toBeGreaterThanOrEqual(2);
  });

  it('runs until the stop signal, across runs, with state intact', async () => {
    const workflowId = `long-stop-${Date.now()}`;
    await env.client.workflow.start<typeof longRunningWorkflow>('longRunning', {
      taskQueue: env.taskQueue,
      workflowId,
      args: [{ continueAsNewEvery: 2, intervalMs: 100 }],
    });
    // The handle without a run id always addresses the latest run of the chain.
    const latest = env.client.workflow.getHandle<typeof longRunningWorkflow>(workflowId);
    const progress = await queryUntil<SampleProgress>(latest, 'progress', (p) => p.done >= 5);
    expect(progress.total).toBeNull();
    expect(progress.message).toMatch(/run [3-9]/);

    await latest.signal('stop');
    const result = await latest.result();
    expect(result.stoppedBySignal).toBe(true);
    expect(result.iterations).toBeGreaterThanOrEqual(5);
    expect(result.runs).toBe(Math.ceil(result.iterations / 2));
    expect(result.total).toBe((result.iterations * (result.iterations + 1)) / 2);
  });

  it('rejects bad input with INVALID_INPUT', async () => {
    const handle = await env.client.workflow.start('longRunning', {
      taskQueue: env.taskQueue,
      workflowId: `long-bad-${Date.now()}`,
      args: [{ continueAsNewEvery: 0, carried: { iteration: -1 } }],
    });
    let cause: unknown = await handle.result().catch((e: unknown) => e);
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    expect((cause as ApplicationFailure).type).toBe('INVALID_INPUT');
    expect((cause as ApplicationFailure).message).toContain('continueAsNewEvery');
  });
});
