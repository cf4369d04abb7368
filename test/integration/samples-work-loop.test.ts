import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { StepResult, WorkLoopInput } from '../../src/samples/types.js';
import type { workLoopWorkflow } from '../../src/samples/workflows/work-loop.js';
import { eventually } from '../helpers/cli.js';
import { queryUntil, startSampleEnv, statusOf, type SampleEnv } from '../helpers/sample-worker.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const node = process.execPath;
const dir = makeTempDir('headway-workloop-');
const flagFile = join(dir.path, 'green');
const pidFile = join(dir.path, 'hang.pid');

/** Step commands the test worker is configured with (`worker.steps`). */
const steps = {
  // Passes from the third iteration on.
  'third-time': {
    command: [node, '-e', 'process.exit(Number(process.env.HEADWAY_ITERATION) >= 3 ? 0 : 1)'],
  },
  // Passes once the test creates the flag file.
  'until-flag': {
    command: [
      node,
      '-e',
      `process.exit(require('fs').existsSync(${JSON.stringify(flagFile)}) ? 0 : 1)`,
    ],
  },
  // Passes once an injected instruction says "use the fix", and reports what it saw.
  instructed: {
    command: [
      node,
      '-e',
      'const i = JSON.parse(process.env.HEADWAY_INSTRUCTIONS); console.log("escalation", process.env.HEADWAY_ESCALATION, "instructions", i.join("|")); process.exit(i.includes("use the fix") ? 0 : 1)',
    ],
  },
  noisy: {
    command: [node, '-e', 'process.stdout.write("x".repeat(10000) + "END"); process.exit(1)'],
    max_output_bytes: 100,
  },
  slow: { command: [node, '-e', 'setTimeout(() => {}, 60000)'], timeout_s: 0.5 },
  missing: { command: [join(dir.path, 'no-such-program')] },
  // Records its pid, then runs until killed.
  hang: {
    command: [
      node,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
    ],
    timeout_s: 120,
  },
  'leaks-env': {
    command: [node, '-e', 'process.exit(process.env.HEADWAY_TEST_SECRET === undefined ? 0 : 1)'],
  },
};

let env: SampleEnv;
beforeAll(async () => {
  process.env.HEADWAY_TEST_SECRET = 'do-not-pass-on';
  env = await startSampleEnv({ worker: { steps } });
});
afterAll(async () => {
  delete process.env.HEADWAY_TEST_SECRET;
  await env?.stop();
  dir.remove();
});

let seq = 0;
function start(input: WorkLoopInput) {
  return env.client.workflow.start<typeof workLoopWorkflow>('workLoop', {
    taskQueue: env.taskQueue,
    workflowId: `work-loop-${++seq}-${Date.now()}`,
    args: [input],
  });
}

describe('workLoop sample (real dev server and worker)', () => {
  it('iterates the step until it passes and reports every iteration', async () => {
    const handle = await start({ step: 'third-time', maxIterations: 5 });
    const result = await handle.result();
    expect(result.outcome).toBe('passed');
    expect(result.iterations).toBe(3);
    expect(result.lastResult).toMatchObject({ iteration: 3, passed: true, exitCode: 0 });
    expect(await handle.query('currentState')).toBe('passed');
    expect(await handle.query('iterationCount')).toBe(3);
  });

  it('stops at max iterations when the step never passes', async () => {
    const handle = await start({ step: 'fail', maxIterations: 2 });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'max_iterations', iterations: 2 });
    expect(result.lastResult).toMatchObject({ passed: false, exitCode: 1 });
    expect(await handle.query('currentState')).toBe('exhausted');
  });

  it('pause holds the loop (currentState paused, no new iterations) until resume', async () => {
    const handle = await start({ step: 'until-flag', maxIterations: 500, iterationDelayMs: 100 });
    await queryUntil<number>(handle, 'iterationCount', (n) => n >= 1);
    await handle.signal('pause');
    await queryUntil<string>(handle, 'currentState', (s) => s === 'paused');
    // At most the iteration in flight when the signal arrived completes after pausing.
    const settled = await eventually('the loop to stop iterating', async () => {
      const a = await handle.query<number>('iterationCount');
      await new Promise((r) => setTimeout(r, 400));
      const b = await handle.query<number>('iterationCount');
      return a === b ? b : undefined;
    });
    writeFileSync(flagFile, '');
    expect(await handle.query('currentState')).toBe('paused');
    expect(await handle.query('iterationCount')).toBe(settled);

    await handle.signal('resume');
    const result = await handle.result();
    expect(result.outcome).toBe('passed');
    expect(result.iterations).toBe(settled + 1);
    expect(await handle.query('currentState')).toBe('passed');
    const progress = await handle.query<{ state: string; done: number; total: number }>('progress');
    expect(progress).toMatchObject({ state: 'passed', done: settled + 1, total: 500 });
  });

  it('injectInstruction reaches the next iteration; escalate raises the level the step sees', async () => {
    const handle = await start({ step: 'instructed', maxIterations: 500, iterationDelayMs: 100 });
    await queryUntil<number>(handle, 'iterationCount', (n) => n >= 1);
    const last = await handle.query<StepResult | null>('lastResult');
    expect(last).toMatchObject({ passed: false, exitCode: 1 });
    expect(last?.output).toContain('escalation 0');

    await handle.signal('escalate', 'stuck');
    await handle.signal('injectInstruction', 'use the fix');
    const result = await handle.result();
    expect(result.outcome).toBe('passed');
    expect(result.escalationLevel).toBe(1);
    expect(result.instructions).toEqual(['use the fix']);
    expect(result.lastResult?.output).toContain('escalation 1 instructions use the fix');
  });

  it('keeps only the tail of long output, kills a step at its timeout, and passes no secrets', async () => {
    const noisy = await (await start({ step: 'noisy', maxIterations: 1 })).result();
    expect(noisy.lastResult?.output).toHaveLength(100);
    expect(noisy.lastResult?.output.endsWith('END')).toBe(true);
    expect(noisy.lastResult?.outputTruncated).toBe(true);

    const slow = await (await start({ step: 'slow', maxIterations: 1 })).result();
    // Killed by the activity at its timeout (the step itself would sleep far longer): the signal and
    // the flag say so; how long that took on a shared machine is not this test's business.
    expect(slow.lastResult).toMatchObject({ passed: false, timedOut: true, signal: 'SIGKILL' });

    const clean = await (await start({ step: 'leaks-env', maxIterations: 1 })).result();
    expect(clean.outcome).toBe('passed');
  });

  it('fails with a non-retryable failure for an unknown step, a missing program, or bad input', async () => {
    const cases: [WorkLoopInput | Record<string, unknown>, string, RegExp][] = [
      [{ step: 'nope' }, 'UNKNOWN_STEP', /not configured on this worker/],
      [{ step: 'missing' }, 'STEP_DID_NOT_START', /cannot start/],
      [{ step: 'pass', maxIterations: 0 }, 'INVALID_INPUT', /maxIterations/],
      [{ stepp: 'pass' }, 'INVALID_INPUT', /invalid input for workLoop/],
    ];
    for (const [input, type, message] of cases) {
      const handle = await start(input as WorkLoopInput);
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      let cause = (err as WorkflowFailedError).cause;
      while (cause !== undefined && !(cause instanceof ApplicationFailure))
        cause = cause.cause as Error;
      expect(cause, JSON.stringify(input)).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(type);
      expect((cause as ApplicationFailure).message).toMatch(message);
      expect(await statusOf(env.client, handle.workflowId)).toBe('FAILED');
    }
  });

  it('cancel stops the loop (currentState cancelled) and kills the running step', async () => {
    const handle = await start({ step: 'hang', maxIterations: 5 });
    const pid = await eventually('the step to write its pid', () =>
      existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined,
    );
    expect(isAlive(pid)).toBe(true);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(await statusOf(env.client, handle.workflowId)).toBe('CANCELLED');
    expect(await handle.query('currentState')).toBe('cancelled');
    // The activity learns of the cancellation on its next heartbeat and kills the process group.
    await eventually('the step process to be killed', () => (isAlive(pid) ? undefined : true));
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
