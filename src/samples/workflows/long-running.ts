import {
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import { LongRunningInputSchema, type LongRunningInput, type LongRunningResult } from '../types.js';

import {
  currentStateQuery,
  iterationCountQuery,
  progressQuery,
  stopSignal,
} from './definitions.js';
import { activityOptions, parseInput } from './support.js';

/**
 * Runs an activity per iteration, indefinitely or up to `maxIterations`, and continues as new every
 * `continueAsNewEvery` iterations (or when the server suggests it) so its history stays bounded.
 * The running state (iteration, total, run number) is carried into each new run.
 */
export async function longRunningWorkflow(raw: LongRunningInput): Promise<LongRunningResult> {
  const input = parseInput('longRunning', LongRunningInputSchema, raw);
  const { tick } = proxyActivities<SampleActivities>(activityOptions(input.activity));
  const carried = input.carried ?? { iteration: 0, total: 0, run: 1 };
  let { iteration, total } = carried;
  let inThisRun = 0;
  let stopRequested = false;
  let state = 'running';

  setHandler(stopSignal, () => {
    stopRequested = true;
  });
  setHandler(currentStateQuery, () => state);
  setHandler(iterationCountQuery, () => iteration);
  setHandler(progressQuery, () => ({
    state,
    done: iteration,
    total: input.maxIterations ?? null,
    message: `${state}: iteration ${iteration}${input.maxIterations === undefined ? '' : `/${input.maxIterations}`}, run ${carried.run}, total ${total}`,
  }));

  for (;;) {
    const finished = input.maxIterations !== undefined && iteration >= input.maxIterations;
    if (stopRequested || finished) {
      state = 'done';
      return { iterations: iteration, total, runs: carried.run, stoppedBySignal: !finished };
    }
    if (inThisRun >= input.continueAsNewEvery || workflowInfo().continueAsNewSuggested) {
      state = 'continuing_as_new';
      await continueAsNew<typeof longRunningWorkflow>({
        ...input,
        carried: { iteration, total, run: carried.run + 1 },
      });
    }
    const { value } = await tick({ iteration: iteration + 1 });
    iteration += 1;
    total += value;
    inThisRun += 1;
    if (input.intervalMs > 0) {
      // Wakes early for `stop`, so stopping does not wait out the interval.
      await condition(() => stopRequested, input.intervalMs);
    }
  }
}
