import { executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import {
  FanOutBatchInputSchema,
  FanOutFanInInputSchema,
  SampleFailure,
  SampleWorkflow,
  type FanOutBatchInput,
  type FanOutBatchResult,
  type FanOutFanInInput,
  type FanOutFanInResult,
} from '../types.js';

import { currentStateQuery, progressQuery } from './definitions.js';
import { activityOptions, parseInput, rootMessage } from './support.js';

/**
 * Splits the values into batches, runs a `fanOutBatch` child per batch in parallel (each squares
 * its values with parallel activities), then combines what succeeded. A failed batch is reported
 * in the result, not fatal.
 */
export async function fanOutFanInWorkflow(raw: FanOutFanInInput): Promise<FanOutFanInResult> {
  const input = parseInput('fanOutFanIn', FanOutFanInInputSchema, raw);
  const { combineBatches } = proxyActivities<SampleActivities>(activityOptions(input.activity));
  const { workflowId } = workflowInfo();

  const batches: number[][] = [];
  for (let i = 0; i < input.values.length; i += input.batchSize) {
    batches.push(input.values.slice(i, i + input.batchSize));
  }
  let state = 'fan_out';
  let finished = 0;
  setHandler(currentStateQuery, () => state);
  setHandler(progressQuery, () => ({
    state,
    done: finished,
    total: batches.length,
    message: `${state}: ${finished}/${batches.length} batches finished`,
  }));

  const settled = await Promise.allSettled(
    batches.map((values, index) =>
      executeChild<typeof fanOutBatchWorkflow>(SampleWorkflow.fanOutBatch, {
        workflowId: `${workflowId}.batch-${index + 1}`,
        args: [{ index, values, failOn: input.failOn, activity: input.activity }],
      }).finally(() => {
        finished += 1;
      }),
    ),
  );
  state = 'fan_in';
  const succeeded: FanOutBatchResult[] = [];
  const failed: { index: number; error: string }[] = [];
  settled.forEach((s, index) => {
    if (s.status === 'fulfilled') succeeded.push(s.value);
    else failed.push({ index, error: rootMessage(s.reason) });
  });
  const combined = await combineBatches({ results: succeeded });
  state = 'done';
  return {
    batches: batches.length,
    succeeded: succeeded.length,
    failed,
    sumOfSquares: combined.sumOfSquares,
    count: combined.count,
  };
}

/** One batch of a fan-out: an activity per value, all in parallel. */
export async function fanOutBatchWorkflow(raw: FanOutBatchInput): Promise<FanOutBatchResult> {
  const input = parseInput('fanOutBatch', FanOutBatchInputSchema, raw);
  const { square } = proxyActivities<SampleActivities>(
    activityOptions(input.activity, [SampleFailure.BadValue]),
  );
  let done = 0;
  setHandler(progressQuery, () => ({
    state: done === input.values.length ? 'done' : 'running',
    done,
    total: input.values.length,
    message: `batch ${input.index + 1}: ${done}/${input.values.length} values`,
  }));
  const squares = await Promise.all(
    input.values.map((value) =>
      square({ value, failOn: input.failOn }).then((r) => {
        done += 1;
        return r;
      }),
    ),
  );
  return { index: input.index, squares, sum: squares.reduce((a, b) => a + b, 0) };
}
