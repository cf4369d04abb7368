import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import {
  WorkLoopInputSchema,
  type StepResult,
  type WorkLoopInput,
  type WorkLoopResult,
  type WorkLoopState,
} from '../types.js';

import {
  currentStateQuery,
  escalateSignal,
  injectInstructionSignal,
  iterationCountQuery,
  lastResultQuery,
  pauseSignal,
  progressQuery,
  resumeSignal,
} from './definitions.js';
import { activityOptions, parseInput } from './support.js';

/**
 * Runs started before workLoop continued as new did not; their histories replay without it (see
 * docs/copilot.md, upgrades).
 */
export const WORK_LOOP_CONTINUE_AS_NEW_PATCH = 'work-loop-continue-as-new';

/**
 * Continue as new at this many events even when the server suggests nothing (a server older than
 * the suggestion, or one configured without it); well below the default hard limit of 51,200.
 */
export const WORK_LOOP_MAX_HISTORY_EVENTS = 10_000;

/** Whether this run's history is long enough to hand over to a new run. */
function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= WORK_LOOP_MAX_HISTORY_EVENTS;
}

/**
 * Fix-forward loop: runs a step (a command configured on the worker) until it passes or the
 * iterations run out. Operators steer it while it runs: `pause` / `resume`, `injectInstruction`
 * (handed to the next iteration), `escalate` (raises the level the step sees). Up to 1,000
 * iterations plus any number of signals outgrow a history, so between iterations it continues as
 * new when the server suggests it, carrying everything the loop has changed.
 */
export async function workLoopWorkflow(raw: WorkLoopInput): Promise<WorkLoopResult> {
  const input = parseInput('workLoop', WorkLoopInputSchema, raw);
  const { runStep } = proxyActivities<SampleActivities>(activityOptions(input.activity));
  const carried = input.carried;

  let state: WorkLoopState = carried?.paused === true ? 'paused' : 'running';
  let paused = carried?.paused ?? false;
  let iterations = carried?.iterations ?? 0;
  let escalationLevel = carried?.escalationLevel ?? 0;
  const instructions = [...(carried?.instructions ?? input.instructions)];
  let lastResult: StepResult | null = carried?.lastResult ?? null;
  const run = carried?.run ?? 1;

  setHandler(pauseSignal, () => {
    paused = true;
    if (state === 'running') state = 'paused';
  });
  setHandler(resumeSignal, () => {
    paused = false;
    if (state === 'paused') state = 'running';
  });
  setHandler(injectInstructionSignal, (text: unknown) => {
    // A signal cannot be refused, so a bad payload is logged and dropped.
    if (typeof text !== 'string' || text.trim() === '') {
      log.warn('injectInstruction ignored: the payload must be a non-empty string');
      return;
    }
    instructions.push(text);
  });
  setHandler(escalateSignal, (reason?: unknown) => {
    escalationLevel += 1;
    log.info('work loop escalated', {
      escalationLevel,
      reason: typeof reason === 'string' ? reason : null,
    });
  });
  setHandler(currentStateQuery, () => state);
  setHandler(iterationCountQuery, () => iterations);
  setHandler(lastResultQuery, () => lastResult);
  setHandler(progressQuery, () => ({
    state,
    done: iterations,
    total: input.maxIterations,
    message:
      `${state}: iteration ${iterations}/${input.maxIterations}` +
      (lastResult === null
        ? ''
        : `, last ${lastResult.passed ? 'passed' : lastResult.timedOut ? 'timed out' : `failed (exit ${lastResult.exitCode ?? lastResult.signal})`}`) +
      (escalationLevel > 0 ? `, escalation ${escalationLevel}` : ''),
  }));

  const result = (outcome: WorkLoopResult['outcome']): WorkLoopResult => ({
    outcome,
    iterations,
    escalationLevel,
    instructions: [...instructions],
    lastResult,
    runs: run,
  });

  /**
   * Hands the loop to a new run when this history is long. Called between iterations only, where
   * no activity or timer is open. The patch check comes last so it records its marker only in
   * the run that continues; a run replayed from an older release (no marker) goes on as it did.
   */
  const continueIfLong = async (): Promise<void> => {
    if (!historyIsLong() || !patched(WORK_LOOP_CONTINUE_AS_NEW_PATCH)) return;
    // Signal handlers are synchronous today; waiting keeps a future async one from being cut off.
    await condition(allHandlersFinished);
    log.info('work loop continues as new', {
      iterations,
      run,
      historyLength: workflowInfo().historyLength,
    });
    // Signals that arrive in the same workflow task were applied before this line; later ones make
    // the server refuse this completion and replay the task with them, so none is lost.
    await continueAsNew<typeof workLoopWorkflow>({
      ...raw,
      carried: {
        iterations,
        escalationLevel,
        paused,
        instructions: [...instructions],
        lastResult,
        run: run + 1,
      },
    });
  };

  try {
    while (iterations < input.maxIterations) {
      await continueIfLong();
      await condition(() => !paused);
      lastResult = await runStep({
        step: input.step,
        iteration: iterations + 1,
        instructions: [...instructions],
        escalationLevel,
        workflowId: workflowInfo().workflowId,
      });
      iterations += 1;
      if (lastResult.passed) {
        state = 'passed';
        return result('passed');
      }
      if (iterations < input.maxIterations && input.iterationDelayMs > 0) {
        await sleep(input.iterationDelayMs);
      }
    }
    state = 'exhausted';
    return result('max_iterations');
  } catch (err) {
    if (isCancellation(err)) state = 'cancelled';
    throw err;
  }
}
