import { ApplicationFailure, Context, log } from '@temporalio/activity';

import type { StepCommand } from '../../config/temporal.js';
import { errorMessage } from '../../errors.js';
import {
  SampleFailure,
  type BackgroundTaskResult,
  type FallbackReason,
  type FanOutBatchResult,
  type PrimaryBehaviour,
  type RunStepInput,
  type StepResult,
  type SubTaskResult,
  type Task,
} from '../types.js';

import type { StepRecords } from './step-records.js';
import { instructionsEnv, runStepCommand, writeInstructions } from './step.js';

export interface SampleActivityDeps {
  /** The worker's configured step commands (`worker.steps`). */
  readonly steps: Readonly<Record<string, StepCommand>>;
  /** The worker's environment; steps inherit only PATH, HOME and the locale from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Process groups of running step commands (see `runStepCommand`). */
  readonly runningSteps?: Set<number>;
  /** Running steps on disk, so leftovers of a dead worker or an earlier attempt are ended. */
  readonly stepRecords?: StepRecords;
  readonly now?: () => Date;
}

/**
 * The activities of the sample workflows. Permanent problems are non-retryable ApplicationFailures
 * with a type from `SampleFailure`; anything else thrown is retried by the workflow's policy.
 */
export function createActivities(deps: SampleActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /** One workLoop iteration: runs the named step command and reports pass (exit 0) or fail. */
    async runStep(input: RunStepInput): Promise<StepResult> {
      // Own keys only: a step named `constructor` or `toString` is unknown, not a prototype method.
      const spec = Object.hasOwn(deps.steps, input.step) ? deps.steps[input.step] : undefined;
      if (spec === undefined) {
        const known = Object.keys(deps.steps).sort().join(', ') || 'none';
        throw ApplicationFailure.nonRetryable(
          `step ${JSON.stringify(input.step)} is not configured on this worker (configured: ${known})`,
          SampleFailure.UnknownStep,
        );
      }
      const ctx = Context.current();
      const activity = {
        workflowId: ctx.info.workflowExecution?.workflowId ?? '',
        activityId: ctx.info.activityId,
      };
      // A retry (the worker died, or the attempt timed out) must not run beside the first copy.
      if (ctx.info.attempt > 1) deps.stepRecords?.reap(activity);
      // Instructions grow with every injectInstruction signal; one environment variable holds at
      // most 128 KiB on Linux, so they always travel in a file too (removed after the run).
      const instructionsFile = await writeInstructions(input.instructions);
      let run;
      try {
        run = await runStepCommand({
          spec,
          baseEnv: deps.env,
          env: {
            HEADWAY_STEP: input.step,
            HEADWAY_ITERATION: String(input.iteration),
            ...instructionsEnv(instructionsFile.path, input.instructions),
            HEADWAY_ESCALATION: String(input.escalationLevel),
            HEADWAY_WORKFLOW_ID: input.workflowId,
          },
          abort: ctx.cancellationSignal,
          onTick: () => ctx.heartbeat(),
          ...(deps.runningSteps === undefined ? {} : { running: deps.runningSteps }),
          onSpawn: (pid) => deps.stepRecords?.add(pid, activity),
          onExit: (pid) => deps.stepRecords?.remove(pid),
        });
      } catch (err) {
        throw ApplicationFailure.nonRetryable(
          `step ${input.step}: cannot start ${spec.command[0]}: ${errorMessage(err)}`,
          SampleFailure.StepDidNotStart,
        );
      } finally {
        await instructionsFile.remove();
      }
      if (run.aborted) throw ctx.cancellationSignal.reason;
      const passed = run.exitCode === 0 && !run.timedOut;
      log.info('step finished', {
        step: input.step,
        iteration: input.iteration,
        passed,
        exitCode: run.exitCode,
        durationMs: run.durationMs,
      });
      return {
        step: input.step,
        iteration: input.iteration,
        passed,
        exitCode: run.exitCode,
        signal: run.signal,
        timedOut: run.timedOut,
        durationMs: run.durationMs,
        output: run.output,
        outputTruncated: run.outputTruncated,
      };
    },

    // --- pipeline ------------------------------------------------------------------------

    analyzeIssue(issue: {
      title: string;
      body: string;
      complexity: number;
    }): Promise<{ summary: string; complexity: number }> {
      const words = issue.body.trim() === '' ? 0 : issue.body.trim().split(/\s+/).length;
      return Promise.resolve({
        summary: `${issue.title}: complexity ${issue.complexity}, ${words} word(s) of description`,
        complexity: issue.complexity,
      });
    },

    /** Splits a task in two while it is larger than `decomposeAbove` and depth allows. */
    planTask(input: {
      task: Task;
      depth: number;
      maxDepth: number;
      decomposeAbove: number;
    }): Promise<{ subtasks: Task[] }> {
      const { task } = input;
      if (input.depth >= input.maxDepth || task.complexity <= input.decomposeAbove) {
        return Promise.resolve({ subtasks: [] });
      }
      const first = Math.ceil(task.complexity / 2);
      return Promise.resolve({
        subtasks: [
          { title: `${task.title}.1`, complexity: first },
          { title: `${task.title}.2`, complexity: task.complexity - first },
        ],
      });
    },

    implementTask(input: { task: Task; failTask?: string }): Promise<{ summary: string }> {
      if (input.failTask !== undefined && input.task.title === input.failTask) {
        throw ApplicationFailure.nonRetryable(
          `implementing ${JSON.stringify(input.task.title)} failed`,
          SampleFailure.TaskFailed,
        );
      }
      return Promise.resolve({ summary: `implemented ${input.task.title}` });
    },

    runChecks(input: {
      tree: SubTaskResult;
    }): Promise<{ passed: boolean; leaves: number; depth: number }> {
      let leaves = 0;
      let depth = 0;
      let passed = true;
      const walk = (node: SubTaskResult): void => {
        depth = Math.max(depth, node.depth);
        if (node.children.length === 0) {
          leaves += 1;
          passed &&= node.passed;
        }
        node.children.forEach(walk);
      };
      walk(input.tree);
      return Promise.resolve({ passed, leaves, depth });
    },

    openPullRequest(input: {
      issue: string;
      tree: SubTaskResult;
    }): Promise<{ title: string; body: string }> {
      const lines: string[] = [];
      const walk = (node: SubTaskResult): void => {
        lines.push(`${'  '.repeat(node.depth)}- ${node.title}: ${node.summary}`);
        node.children.forEach(walk);
      };
      walk(input.tree);
      return Promise.resolve({ title: `Fix: ${input.issue}`, body: lines.join('\n') });
    },

    // --- fanOutFanIn ---------------------------------------------------------------------

    square(input: { value: number; failOn?: number }): Promise<number> {
      if (input.failOn !== undefined && input.value === input.failOn) {
        throw ApplicationFailure.nonRetryable(
          `value ${input.value} cannot be processed`,
          SampleFailure.BadValue,
        );
      }
      return Promise.resolve(input.value * input.value);
    },

    combineBatches(input: {
      results: FanOutBatchResult[];
    }): Promise<{ sumOfSquares: number; count: number }> {
      return Promise.resolve({
        sumOfSquares: input.results.reduce((a, r) => a + r.sum, 0),
        count: input.results.reduce((a, r) => a + r.squares.length, 0),
      });
    },

    // --- retriesWithFallback -------------------------------------------------------------

    /** Fails attempt N as `failures[N-1]` says; later attempts succeed. */
    async callPrimary(input: {
      failures: PrimaryBehaviour[];
      attemptTimeoutMs: number;
    }): Promise<{ value: string; attempt: number }> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const behaviour = input.failures[attempt - 1];
      if (behaviour === undefined) {
        return { value: `primary succeeded on attempt ${attempt}`, attempt };
      }
      switch (behaviour) {
        case 'retryable':
          throw ApplicationFailure.retryable(
            `transient failure on attempt ${attempt}`,
            SampleFailure.Transient,
          );
        case 'non_retryable':
          throw ApplicationFailure.nonRetryable(
            `permanent failure on attempt ${attempt}`,
            SampleFailure.Permanent,
          );
        case 'timeout':
          // Outlives the start-to-close timeout by far: the server's timers are coarse (about a
          // second on the dev server), and a late answer to a timed-out attempt is discarded.
          await ctx.sleep(input.attemptTimeoutMs * 3 + 5_000);
          throw ApplicationFailure.retryable(
            `attempt ${attempt} outlived its timeout`,
            SampleFailure.Transient,
          );
      }
    },

    callFallback(input: { reason: FallbackReason }): Promise<{ value: string }> {
      return Promise.resolve({ value: `fallback answer (primary: ${input.reason})` });
    },

    // --- fireAndForget -------------------------------------------------------------------

    recordCompletion(input: {
      message: string;
      parentWorkflowId: string;
    }): Promise<BackgroundTaskResult> {
      log.info('background task completed', { parentWorkflowId: input.parentWorkflowId });
      return Promise.resolve({ ...input, completedAt: now().toISOString() });
    },

    // --- longRunning ---------------------------------------------------------------------

    tick(input: { iteration: number }): Promise<{ value: number }> {
      return Promise.resolve({ value: input.iteration });
    },
  };
}

export type SampleActivities = ReturnType<typeof createActivities>;
