import {
  condition,
  isCancellation,
  log,
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
 * Fix-forward loop: runs a step (a command configured on the worker) until it passes or the
 * iterations run out. Operators steer it while it runs: `pause` / `resume`, `injectInstruction`
 * (handed to the next iteration), `escalate` (raises the level the step sees).
 */
export async function workLoopWorkflow(raw: WorkLoopInput): Promise<WorkLoopResult> {
  const input = parseInput('workLoop', WorkLoopInputSchema, raw);
  const { runStep } = proxyActivities<SampleActivities>(activityOptions(input.activity));

  let state: WorkLoopState = 'running';
  let paused = false;
  let iterations = 0;
  let escalationLevel = 0;
  const instructions = [...input.instructions];
  let lastResult: StepResult | null = null;

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
  });

  try {
    while (iterations < input.maxIterations) {
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
