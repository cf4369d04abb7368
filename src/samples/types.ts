/**
 * Inputs, results and names of the sample workflows. Imported by workflow code (so: zod and types
 * only, nothing with I/O) and by the worker, the CLI and the tests.
 *
 * Every input is one JSON object, validated with zod inside the workflow; bad input fails the
 * workflow with a non-retryable `INVALID_INPUT` failure. Durations in inputs are milliseconds.
 */
import { z } from 'zod';

import { FailureType } from '../model/failures.js';

/** Workflow types the sample worker registers (the names `headway workflow start` takes). */
export const SampleWorkflow = {
  workLoop: 'workLoop',
  pipeline: 'pipeline',
  subTask: 'subTask',
  fanOutFanIn: 'fanOutFanIn',
  fanOutBatch: 'fanOutBatch',
  retriesWithFallback: 'retriesWithFallback',
  fireAndForget: 'fireAndForget',
  backgroundTask: 'backgroundTask',
  longRunning: 'longRunning',
} as const;
export type SampleWorkflowType = (typeof SampleWorkflow)[keyof typeof SampleWorkflow];

/** Failure types the samples raise (the shared vocabulary); workflows decide on these strings. */
export const SampleFailure = FailureType;

const ms = (max: number) => z.number().int().min(0).max(max);
const positiveMs = (max: number) => z.number().int().min(1).max(max);

/**
 * Activity timeouts and retry policy. `headway workflow start` fills this from `temporal.timeouts`
 * and `temporal.retry` in headway.yml when the input leaves it out; these defaults mirror them.
 */
export const ActivityDefaultsSchema = z
  .strictObject({
    startToCloseTimeoutMs: positiveMs(86_400_000).default(600_000),
    scheduleToCloseTimeoutMs: positiveMs(315_360_000_000).default(1_800_000),
    heartbeatTimeoutMs: positiveMs(86_400_000).default(60_000),
    retry: z
      .strictObject({
        initialIntervalMs: positiveMs(86_400_000).default(1_000),
        backoffCoefficient: z.number().min(1).max(100).default(2),
        maximumIntervalMs: positiveMs(86_400_000).default(60_000),
        /** 0 means unlimited. */
        maximumAttempts: z.number().int().min(0).max(1_000).default(3),
      })
      .prefault({}),
  })
  .prefault({});
export type ActivityDefaults = z.infer<typeof ActivityDefaultsSchema>;

/** What the `progress` query of every sample returns; `headway workflow status` prints it. */
export interface SampleProgress {
  /** The sample's own state word, e.g. `running`, `paused`, `implement`. */
  readonly state: string;
  readonly done: number;
  /** null when open-ended. */
  readonly total: number | null;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// workLoop

/** The outcome of one run of a step command (one workLoop iteration). */
export interface StepResult {
  readonly step: string;
  readonly iteration: number;
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The tail of stdout and stderr together, at most the step's `max_output_bytes`. */
  readonly output: string;
  readonly outputTruncated: boolean;
}

const StepResultSchema: z.ZodType<StepResult> = z.strictObject({
  step: z.string(),
  iteration: z.number().int().min(1),
  passed: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().min(0),
  output: z.string(),
  outputTruncated: z.boolean(),
});

/**
 * What a workLoop run hands the next when it continues as new: everything its signals and
 * iterations changed, so the chain behaves as one loop.
 */
export const WorkLoopCarriedSchema = z.strictObject({
  iterations: z.number().int().min(0),
  escalationLevel: z.number().int().min(0),
  paused: z.boolean(),
  /** Every instruction so far, the input's and the injected ones (no cap: signals add them). */
  instructions: z.array(z.string().min(1)),
  lastResult: StepResultSchema.nullable(),
  /** Which run of the chain this is (1 for the first). */
  run: z.number().int().min(1),
});
export type WorkLoopCarried = z.infer<typeof WorkLoopCarriedSchema>;

export const WorkLoopInputSchema = z.strictObject({
  /** Name of a step command configured on the worker (`worker.steps` in headway.yml). */
  step: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a step name'),
  maxIterations: z.number().int().min(1).max(1_000).default(5),
  /** Pause between a failed iteration and the next. */
  iterationDelayMs: ms(3_600_000).default(0),
  /** Instructions handed to the first iteration; `injectInstruction` adds more. */
  instructions: z.array(z.string().min(1).max(10_000)).max(100).default([]),
  /** Set by the workflow itself when it continues as new. */
  carried: WorkLoopCarriedSchema.optional(),
  activity: ActivityDefaultsSchema,
});
export type WorkLoopInput = z.input<typeof WorkLoopInputSchema>;

export const WORK_LOOP_STATES = ['running', 'paused', 'passed', 'exhausted', 'cancelled'] as const;
export type WorkLoopState = (typeof WORK_LOOP_STATES)[number];

export interface RunStepInput {
  readonly step: string;
  readonly iteration: number;
  readonly instructions: readonly string[];
  readonly escalationLevel: number;
  readonly workflowId: string;
}

export interface WorkLoopResult {
  readonly outcome: 'passed' | 'max_iterations';
  readonly iterations: number;
  readonly escalationLevel: number;
  readonly instructions: readonly string[];
  readonly lastResult: StepResult | null;
  /** How many runs the loop took (it continues as new before its history grows too long). */
  readonly runs: number;
}

// ---------------------------------------------------------------------------------------------
// pipeline / subTask

const TaskSchema = z.strictObject({
  title: z.string().min(1).max(200),
  /** Abstract size; tasks above `decomposeAbove` are split in two while depth allows. */
  complexity: z.number().int().min(1).max(64).default(1),
});
export type Task = z.infer<typeof TaskSchema>;

const decomposition = {
  /** Deepest level of subtasks: 0 means the issue is implemented as one task. */
  maxDepth: z.number().int().min(0).max(4).default(2),
  decomposeAbove: z.number().int().min(1).max(64).default(2),
  /** When set, each leaf task runs a `workLoop` child on this step; otherwise an activity. */
  step: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a step name')
    .optional(),
  maxIterations: z.number().int().min(1).max(100).default(3),
  /** For demonstrations and tests: implementing the task with this title fails (non-retryable). */
  failTask: z.string().min(1).optional(),
  activity: ActivityDefaultsSchema,
};

export const PipelineInputSchema = z.strictObject({
  issue: z.strictObject({
    title: z.string().min(1).max(200),
    body: z.string().max(100_000).default(''),
    complexity: z.number().int().min(1).max(64).default(1),
  }),
  ...decomposition,
});
export type PipelineInput = z.input<typeof PipelineInputSchema>;

export const SubTaskInputSchema = z.strictObject({
  task: TaskSchema,
  depth: z.number().int().min(0).max(4),
  ...decomposition,
});
export type SubTaskInput = z.input<typeof SubTaskInputSchema>;

export interface SubTaskResult {
  readonly title: string;
  readonly depth: number;
  readonly complexity: number;
  readonly kind: 'implemented' | 'decomposed';
  /** For leaves: whether the implementation passed (activity, or the work loop's outcome). */
  readonly passed: boolean;
  readonly summary: string;
  readonly children: readonly SubTaskResult[];
}

export const PIPELINE_STAGES = [
  'analyze',
  'implement',
  'test',
  'open_pr',
  'done',
  'failed',
  'cancelled',
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export interface PipelineResult {
  readonly issue: string;
  readonly analysis: string;
  readonly tree: SubTaskResult;
  readonly leaves: number;
  readonly depth: number;
  readonly checksPassed: boolean;
  /** Simulated: Headway has no code host; this is what would be opened. Null when checks failed. */
  readonly pullRequest: { readonly title: string; readonly body: string } | null;
}

// ---------------------------------------------------------------------------------------------
// fanOutFanIn / fanOutBatch

export const FanOutFanInInputSchema = z.strictObject({
  values: z.array(z.number().finite()).min(1).max(1_000),
  batchSize: z.number().int().min(1).max(100).default(5),
  /** For demonstrations and tests: processing this value fails (non-retryable). */
  failOn: z.number().finite().optional(),
  activity: ActivityDefaultsSchema,
});
export type FanOutFanInInput = z.input<typeof FanOutFanInInputSchema>;

export const FanOutBatchInputSchema = z.strictObject({
  index: z.number().int().min(0),
  values: z.array(z.number().finite()).min(1).max(100),
  failOn: z.number().finite().optional(),
  activity: ActivityDefaultsSchema,
});
export type FanOutBatchInput = z.input<typeof FanOutBatchInputSchema>;

export interface FanOutBatchResult {
  readonly index: number;
  readonly squares: readonly number[];
  readonly sum: number;
}

export interface FanOutFanInResult {
  readonly batches: number;
  readonly succeeded: number;
  readonly failed: readonly { readonly index: number; readonly error: string }[];
  /** Sum of the squares of every value in the batches that succeeded. */
  readonly sumOfSquares: number;
  readonly count: number;
}

// ---------------------------------------------------------------------------------------------
// retriesWithFallback

export const PRIMARY_BEHAVIOURS = ['retryable', 'non_retryable', 'timeout'] as const;
export type PrimaryBehaviour = (typeof PRIMARY_BEHAVIOURS)[number];

export const RetriesWithFallbackInputSchema = z.strictObject({
  /** How attempt 1, 2, … of the primary call fails; attempts past the list succeed. */
  failures: z.array(z.enum(PRIMARY_BEHAVIOURS)).max(50).default([]),
  /** Start-to-close timeout of one primary attempt (a `timeout` attempt outlasts it). */
  attemptTimeoutMs: positiveMs(600_000).default(1_000),
  activity: ActivityDefaultsSchema,
});
export type RetriesWithFallbackInput = z.input<typeof RetriesWithFallbackInputSchema>;

export type FallbackReason = 'non_retryable' | 'timeout' | 'retries_exhausted';

export interface RetriesWithFallbackResult {
  readonly source: 'primary' | 'fallback';
  readonly value: string;
  /** Attempt that succeeded (primary), or null. */
  readonly attempts: number | null;
  readonly fallbackReason: FallbackReason | null;
  readonly primaryError: { readonly type: string; readonly message: string } | null;
}

// ---------------------------------------------------------------------------------------------
// fireAndForget / backgroundTask

export const FireAndForgetInputSchema = z.strictObject({
  /** How long the abandoned child waits before it finishes. */
  childDelayMs: ms(86_400_000).default(5_000),
  message: z.string().min(1).max(1_000).default('hello from the background'),
  activity: ActivityDefaultsSchema,
});
export type FireAndForgetInput = z.input<typeof FireAndForgetInputSchema>;

export interface FireAndForgetResult {
  readonly childWorkflowId: string;
  readonly childRunId: string;
}

export const BackgroundTaskInputSchema = z.strictObject({
  delayMs: ms(86_400_000),
  message: z.string().min(1).max(1_000),
  parentWorkflowId: z.string().min(1),
  activity: ActivityDefaultsSchema,
});
export type BackgroundTaskInput = z.input<typeof BackgroundTaskInputSchema>;

export interface BackgroundTaskResult {
  readonly parentWorkflowId: string;
  readonly message: string;
  /** ISO time the activity recorded completion. */
  readonly completedAt: string;
}

// ---------------------------------------------------------------------------------------------
// longRunning

export const LongRunningStateSchema = z.strictObject({
  iteration: z.number().int().min(0),
  total: z.number().finite(),
  /** Which run of the chain this is (1 for the first). */
  run: z.number().int().min(1),
});
export type LongRunningState = z.infer<typeof LongRunningStateSchema>;

export const LongRunningInputSchema = z.strictObject({
  /** Stop after this many iterations in total; unset runs until the `stop` signal. */
  maxIterations: z.number().int().min(1).max(100_000_000).optional(),
  continueAsNewEvery: z.number().int().min(1).max(10_000).default(100),
  intervalMs: ms(86_400_000).default(1_000),
  /** Set by the workflow itself when it continues as new. */
  carried: LongRunningStateSchema.optional(),
  activity: ActivityDefaultsSchema,
});
export type LongRunningInput = z.input<typeof LongRunningInputSchema>;

export interface LongRunningResult {
  readonly iterations: number;
  readonly total: number;
  readonly runs: number;
  readonly stoppedBySignal: boolean;
}

/**
 * One line per problem with a sample's input, as the workflow's failure and the CLI list them;
 * none when the input parsed (no error).
 */
export function inputProblems(error: z.ZodError | undefined): string[] {
  return (error?.issues ?? []).map(
    (i) => `${i.path.length === 0 ? '(input)' : i.path.join('.')}: ${i.message}`,
  );
}

/**
 * Each sample's input, for checking at the command line before anything starts (the workflow
 * checks it again: a client may be anyone).
 */
export const SAMPLE_INPUTS: Readonly<Record<SampleWorkflowType, z.ZodType>> = {
  workLoop: WorkLoopInputSchema,
  pipeline: PipelineInputSchema,
  subTask: SubTaskInputSchema,
  fanOutFanIn: FanOutFanInInputSchema,
  fanOutBatch: FanOutBatchInputSchema,
  retriesWithFallback: RetriesWithFallbackInputSchema,
  fireAndForget: FireAndForgetInputSchema,
  backgroundTask: BackgroundTaskInputSchema,
  longRunning: LongRunningInputSchema,
};
