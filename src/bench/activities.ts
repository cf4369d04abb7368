import { Context } from '@temporalio/activity';

export interface BenchActivityInput {
  readonly runId: string;
  readonly activityIndex: number;
}

export interface BenchActivityResult {
  readonly taskQueue: string;
  readonly workflowId: string;
  readonly activityId: string;
  readonly attempt: number;
}

/** The bench activities: no real work, so the benchmark measures Temporal, not the activity. */
export function createBenchActivities(random: () => number = Math.random) {
  return {
    /** Sleeps a uniform 100–599 ms, as the reference's NoOpActivity (a plausible I/O call). */
    async noOpActivity(_input: BenchActivityInput): Promise<BenchActivityResult> {
      await Context.current().sleep(100 + Math.floor(random() * 500));
      return describe();
    },
    /** Returns at once: only the scheduling and the history updates cost anything. */
    async fastActivity(_input: BenchActivityInput): Promise<BenchActivityResult> {
      return Promise.resolve(describe());
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;

function describe(): BenchActivityResult {
  const info = Context.current().info;
  return {
    taskQueue: info.taskQueue,
    workflowId: info.workflowExecution?.workflowId ?? '',
    activityId: info.activityId,
    attempt: info.attempt,
  };
}
