import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';

import { StepCommandSchema } from '../../config/temporal.js';
import type { StepResult } from '../types.js';

import { createActivities } from './index.js';
import { StepRecords } from './step-records.js';
import { INLINE_INSTRUCTIONS_MAX_BYTES } from './step.js';

/** The activity in the SDK's own activity test environment (no worker needed to call it). */
function activities() {
  // The step prints what it received: the inline variable's length and the file's content.
  const script = [
    "const fs = require('node:fs');",
    'const file = process.env.HEADWAY_INSTRUCTIONS_FILE;',
    'console.log(JSON.stringify({ inline: process.env.HEADWAY_INSTRUCTIONS?.length ?? null,',
    "  file, fromFile: JSON.parse(fs.readFileSync(file, 'utf8')).length }));",
  ].join('\n');
  return createActivities({
    steps: { echo: StepCommandSchema.parse({ command: [process.execPath, '-e', script] }) },
    env: process.env,
  });
}

/** The activity as a plain function (it never uses `this`). */
const runStep = () => {
  const acts = activities();
  return (i: Parameters<typeof acts.runStep>[0]) => acts.runStep(i);
};

const input = (step: string, instructions: string[]) => ({
  step,
  iteration: 1,
  instructions,
  escalationLevel: 0,
  workflowId: 'wf-1',
});

describe('runStep (SDK MockActivityEnvironment, real step processes)', () => {
  it('a step named like an Object prototype member is an unknown step, not a TypeError', async () => {
    const env = new MockActivityEnvironment();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const err = await env.run(runStep(), input(name, [])).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).nonRetryable, name).toBe(true);
      expect((err as ApplicationFailure).message, name).toContain(
        'is not configured on this worker',
      );
    }
  });

  it('instructions larger than an environment variable can hold reach the step by file', async () => {
    const env = new MockActivityEnvironment();
    const small: StepResult = await env.run(runStep(), input('echo', ['fix the test']));
    expect(small.passed, small.output).toBe(true);
    expect(JSON.parse(small.output)).toMatchObject({ inline: 16, fromFile: 1 });

    // 100 instructions of 10,000 characters (what the input allows, before any signal adds more).
    const big = Array.from({ length: 100 }, (_, i) => `${String(i)}:${'x'.repeat(9_990)}`);
    expect(JSON.stringify(big).length).toBeGreaterThan(INLINE_INSTRUCTIONS_MAX_BYTES);
    const large: StepResult = await env.run(runStep(), input('echo', big));
    expect(large.passed, large.output).toBe(true);
    const seen = JSON.parse(large.output) as {
      inline: number | null;
      file: string;
      fromFile: number;
    };
    expect(seen.inline).toBeNull();
    expect(seen.fromFile).toBe(100);
    // The file is removed once the step has run.
    expect(existsSync(seen.file)).toBe(false);
  });

  it('a retried attempt ends the step its earlier attempt left running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headway-run-step-'));
    try {
      const env = new MockActivityEnvironment({ attempt: 2 });
      const info = env.context.info;
      const records = new StepRecords(dir);
      const leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        detached: true,
        stdio: 'ignore',
      });
      const exited = once(leftover, 'exit');
      records.add(leftover.pid!, {
        workflowId: info.workflowExecution?.workflowId ?? '',
        activityId: info.activityId,
      });
      const acts = createActivities({
        steps: {
          ok: StepCommandSchema.parse({ command: [process.execPath, '-e', 'process.exit(0)'] }),
        },
        env: process.env,
        stepRecords: records,
      });
      const result: StepResult = await env.run(
        (i: Parameters<typeof acts.runStep>[0]) => acts.runStep(i),
        input('ok', []),
      );
      expect(result.passed).toBe(true);
      const [, signal] = (await exited) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
