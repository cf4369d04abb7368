import { describe, expect, it } from 'vitest';

import { StepCommandSchema } from '../../config/temporal.js';

import { OutputTail, runStepCommand } from './step.js';

const node = process.execPath;

function step(script: string, extra: Record<string, unknown> = {}) {
  return StepCommandSchema.parse({ command: [node, '-e', script], ...extra });
}

describe('runStepCommand', () => {
  it('runs argv without a shell and reports the exit code', async () => {
    const ok = await runStepCommand({
      spec: step('process.exit(0)'),
      env: {},
      baseEnv: process.env,
    });
    expect(ok).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false });
    const failed = await runStepCommand({
      spec: step('process.exit(3)'),
      env: {},
      baseEnv: process.env,
    });
    expect(failed.exitCode).toBe(3);
    // No shell: metacharacters reach the program as plain arguments.
    const literal = await runStepCommand({
      spec: StepCommandSchema.parse({
        command: [node, '-e', 'console.log(process.argv[1])', '$(echo hi); ls'],
      }),
      env: {},
      baseEnv: process.env,
    });
    expect(literal.output).toBe('$(echo hi); ls\n');
  });

  it('passes only PATH/HOME/locale from the worker, plus the step and Headway variables', async () => {
    const run = await runStepCommand({
      spec: step('console.log(JSON.stringify(process.env))', { env: { FROM_STEP: 'yes' } }),
      env: { HEADWAY_ITERATION: '2' },
      baseEnv: {
        PATH: process.env.PATH,
        HOME: '/home/x',
        TEMPORAL_API_KEY: 'secret',
        AWS_SECRET: 's',
      },
    });
    const seen = JSON.parse(run.output) as Record<string, string>;
    expect(seen).toMatchObject({ HOME: '/home/x', FROM_STEP: 'yes', HEADWAY_ITERATION: '2' });
    expect(seen.TEMPORAL_API_KEY).toBeUndefined();
    expect(seen.AWS_SECRET).toBeUndefined();
  });

  it('kills the whole process group at the timeout', async () => {
    const started = Date.now();
    const run = await runStepCommand({
      // The grandchild would keep the pipes open if only the direct child were killed.
      spec: step(
        "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' }); setTimeout(() => {}, 60000)",
        { timeout_s: 0.5 },
      ),
      env: {},
      baseEnv: process.env,
    });
    expect(run).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('kills the command when aborted (activity cancelled) and tracks it while it runs', async () => {
    const abort = new AbortController();
    const running = new Set<number>();
    const pending = runStepCommand({
      spec: step('setTimeout(() => {}, 60000)'),
      env: {},
      baseEnv: process.env,
      abort: abort.signal,
      running,
    });
    expect(running.size).toBe(1);
    abort.abort();
    const run = await pending;
    expect(run.aborted).toBe(true);
    expect(running.size).toBe(0);
  });

  it('rejects when the program cannot be started', async () => {
    await expect(
      runStepCommand({
        spec: StepCommandSchema.parse({ command: ['/nonexistent/program'] }),
        env: {},
        baseEnv: process.env,
      }),
    ).rejects.toThrow(/ENOENT/);
  });
});

describe('OutputTail', () => {
  it('keeps the last bytes and says it truncated', () => {
    const tail = new OutputTail(5);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('defgh'));
    expect(tail.text()).toBe('defgh');
    expect(tail.truncated).toBe(true);
  });

  it('never starts with half a UTF-8 character', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('xé€')); // x, é (2 bytes), € (3 bytes): the cut lands inside é
    expect(tail.text()).toBe('€');
  });

  it('keeps everything under the limit', () => {
    const tail = new OutputTail(100);
    tail.push(Buffer.from('short'));
    expect(tail.text()).toBe('short');
    expect(tail.truncated).toBe(false);
  });
});
