/**
 * The benchmark workflows, one per `--workflow-type`. Deterministic code only: inputs arrive as
 * arguments, and activities are known by type.
 */
import {
  ApplicationFailure,
  executeChild,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';
import type { BenchActivities } from '../activities.js';

const { noOpActivity, fastActivity } = proxyActivities<BenchActivities>({
  startToCloseTimeout: '1 minute',
});

/** `simple`: returns at once (one workflow task: the cheapest possible workflow). */
export async function simpleWorkflow(): Promise<void> {}

/**
 * `multi-activity`: `activityCount` no-op activities (100–599 ms each). As the reference: the
 * first 40% run in parallel, then the rest one after another (4 + 6 for the default 10) — but the
 * count is honoured instead of being fixed at 10.
 */
export async function multiActivityWorkflow(activityCount: number): Promise<number> {
  checkCount('activityCount', activityCount);
  const parallel = Math.floor(activityCount * 0.4);
  const { runId } = workflowInfo();
  await Promise.all(
    Array.from({ length: parallel }, (_, i) => noOpActivity({ runId, activityIndex: i })),
  );
  for (let i = parallel; i < activityCount; i++) await noOpActivity({ runId, activityIndex: i });
  return activityCount;
}

/** `timer`: one durable timer of `durationMs`. */
export async function timerWorkflow(durationMs: number): Promise<void> {
  if (!(durationMs >= 0)) {
    throw ApplicationFailure.nonRetryable(
      `timer duration must be ≥ 0, got ${durationMs}`,
      FailureType.InvalidInput,
    );
  }
  await sleep(durationMs);
}

/** `child-workflow`: starts `childCount` simple children at once, then waits for them all. */
export async function childWorkflow(childCount: number): Promise<number> {
  checkCount('childCount', childCount);
  await Promise.all(
    Array.from({ length: childCount }, () => executeChild(simpleWorkflow, { args: [] })),
  );
  return childCount;
}

/**
 * `state-transitions`: `activityCount` fast activities strictly one after another. Sequential on
 * purpose: each completion is its own history update, which maximises state transitions per
 * workflow without concurrent updates contending for one execution row.
 */
export async function stateTransitionsWorkflow(activityCount: number): Promise<number> {
  checkCount('activityCount', activityCount);
  const { runId } = workflowInfo();
  for (let i = 0; i < activityCount; i++) await fastActivity({ runId, activityIndex: i });
  return activityCount;
}

function checkCount(name: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 1 && n <= 1_000)) {
    throw ApplicationFailure.nonRetryable(
      `${name} must be 1–1000, got ${n}`,
      FailureType.InvalidInput,
    );
  }
}
