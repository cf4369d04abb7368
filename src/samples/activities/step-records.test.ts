import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { identify } from '../../os/process-identity.js';

import { StepRecords } from './step-records.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'headway-step-records-'));
  dirs.push(dir);
  return dir;
}

/** A step command as the activity starts one: detached, in its own process group. */
function sleepingStep(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

/** The identity of a process that has exited: certainly not running. */
function deadProcess() {
  const pid = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
  return { pid: Number(pid), start_time: 1 };
}

const ACTIVITY = { workflowId: 'wf-1', activityId: '7' };

describe('StepRecords (real processes)', () => {
  it('a starting worker ends the steps a dead worker left running', async () => {
    const dir = tempDir();
    const step = sleepingStep();
    writeFileSync(
      join(dir, `${String(step.pid)}.json`),
      JSON.stringify({
        step: identify(step.pid!),
        worker: deadProcess(),
        workflow_id: 'wf-0',
        activity_id: '1',
      }),
    );
    const exited = once(step, 'exit');
    expect(new StepRecords(dir).reap()).toEqual([step.pid]);
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves a live worker’s steps alone, but a retry of the same activity ends its first copy', async () => {
    const dir = tempDir();
    const records = new StepRecords(dir);
    const step = sleepingStep();
    records.add(step.pid!, ACTIVITY);
    expect(new StepRecords(dir).reap()).toEqual([]);
    expect(records.reap({ workflowId: 'wf-1', activityId: '8' })).toEqual([]);
    expect(step.exitCode).toBeNull();
    const exited = once(step, 'exit');
    expect(records.reap(ACTIVITY)).toEqual([step.pid]);
    await exited;
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never signals a recycled pid (start time differs), and drops unreadable records', () => {
    const dir = tempDir();
    const step = sleepingStep();
    writeFileSync(
      join(dir, `${String(step.pid)}.json`),
      JSON.stringify({
        step: { pid: step.pid, start_time: 1 },
        worker: deadProcess(),
        workflow_id: 'wf-0',
        activity_id: '1',
      }),
    );
    writeFileSync(join(dir, '123.json'), '{"step":');
    expect(new StepRecords(dir).reap()).toEqual([]);
    expect(step.exitCode).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });
});
