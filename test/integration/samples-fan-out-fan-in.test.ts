import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FanOutFanInInput } from '../../src/samples/types.js';
import type { fanOutFanInWorkflow } from '../../src/samples/workflows/fan-out-fan-in.js';
import { startSampleEnv, statusOf, type SampleEnv } from '../helpers/sample-worker.js';

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv();
});
afterAll(async () => {
  await env?.stop();
});

let seq = 0;
function start(input: FanOutFanInInput) {
  return env.client.workflow.start<typeof fanOutFanInWorkflow>('fanOutFanIn', {
    taskQueue: env.taskQueue,
    workflowId: `fan-out-${++seq}-${Date.now()}`,
    args: [input],
  });
}

const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);

describe('fanOutFanIn sample: parallel child workflows and activities, results combined', () => {
  it('runs a child per batch, an activity per value, and combines the results', async () => {
    const handle = await start({ values: oneToTen, batchSize: 3 });
    const result = await handle.result();
    expect(result).toEqual({ batches: 4, succeeded: 4, failed: [], sumOfSquares: 385, count: 10 });
    for (let i = 1; i <= 4; i++) {
      expect(await statusOf(env.client, `${handle.workflowId}.batch-${i}`)).toBe('COMPLETED');
    }
    const batch: unknown = await env.client.workflow
      .getHandle(`${handle.workflowId}.batch-4`)
      .result();
    expect(batch).toEqual({ index: 3, squares: [100], sum: 100 });
    expect(await handle.query('progress')).toMatchObject({ state: 'done', done: 4, total: 4 });
  });

  it('the children really run in parallel (all batches started before any finished)', async () => {
    const handle = await start({ values: oneToTen, batchSize: 2 });
    await handle.result();
    const starts: number[] = [];
    const closes: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const d = await env.client.workflow.getHandle(`${handle.workflowId}.batch-${i}`).describe();
      starts.push(d.startTime.getTime());
      closes.push(d.closeTime!.getTime());
    }
    expect(Math.max(...starts)).toBeLessThanOrEqual(Math.min(...closes));
  });

  it('reports a failed batch and combines the others', async () => {
    const handle = await start({ values: oneToTen, batchSize: 3, failOn: 5 });
    const result = await handle.result();
    expect(result.succeeded).toBe(3);
    expect(result.failed).toEqual([{ index: 1, error: 'value 5 cannot be processed' }]);
    expect(result.sumOfSquares).toBe(385 - 16 - 25 - 36);
    expect(result.count).toBe(7);
    expect(await statusOf(env.client, `${handle.workflowId}.batch-2`)).toBe('FAILED');
  });

  it('rejects bad input with INVALID_INPUT', async () => {
    const handle = await start({ values: [], batchSize: 0 });
    let cause: unknown = await handle.result().catch((e: unknown) => e);
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    expect((cause as ApplicationFailure).type).toBe('INVALID_INPUT');
    expect((cause as ApplicationFailure).message).toMatch(/values: .*; batchSize: /);
  });
});
