import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, describe, expect, it } from 'vitest';

import {
  identify,
  isRunning,
  readStartTime,
  signal,
  terminate,
  waitForExit,
} from './process-identity.js';

const children: ChildProcess[] = [];

afterEach(() => {
  // Only the processes this file started, by their own handle.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

function start(command: string, args: string[]): ChildProcess & { pid: number } {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return child as ChildProcess & { pid: number };
}

function exitSignal(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
}

/** Polls `condition` until it holds, or fails after the deadline. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

function procStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

/** True once the process runs `comm` and ignores SIGTERM (bit 15 of SigIgn). */
function ignoresTerm(pid: number, comm: string): boolean {
  const status = procStatus(pid);
  const name = /^Name:\s+(\S+)/m.exec(status)?.[1];
  const ignored = /^SigIgn:\s+([0-9a-f]+)/m.exec(status)?.[1];
  if (name !== comm || ignored === undefined) return false;
  return (BigInt(`0x${ignored}`) & (1n << 14n)) !== 0n;
}

describe('identify and isRunning', () => {
  it('identifies this process with its start time from /proc', () => {
    const me = identify(process.pid);
    expect(me.pid).toBe(process.pid);
    expect(typeof me.start_time).toBe('number');
    expect(Number.isInteger(me.start_time)).toBe(true);
    expect(me.start_time).toBeGreaterThan(0);
    expect(readStartTime(process.pid)).toBe(me.start_time);
    expect(isRunning(me)).toBe(true);
  });

  it('does not match a process whose start time differs (a recycled pid)', () => {
    const me = identify(process.pid);
    expect(isRunning({ pid: process.pid, start_time: (me.start_time ?? 0) + 1 })).toBe(false);
  });

  it('treats a missing start time as liveness only', () => {
    expect(isRunning({ pid: process.pid, start_time: null })).toBe(true);
  });

  it('rejects pids that cannot be a recorded process', () => {
    expect(isRunning({ pid: 0, start_time: null })).toBe(false);
    expect(isRunning({ pid: -1, start_time: null })).toBe(false);
    expect(isRunning({ pid: 1.5, start_time: null })).toBe(false);
    expect(readStartTime(-1)).toBeNull();
  });

  it('tells apart a child that runs from one that has exited', async () => {
    const child = start('sleep', ['30']);
    const id = identify(child.pid);
    expect(id.start_time).not.toBeNull();
    expect(id.start_time).toBeGreaterThanOrEqual(identify(process.pid).start_time ?? 0);
    expect(isRunning(id)).toBe(true);

    const gone = exitSignal(child);
    expect(await terminate(id, 2_000)).toBe(true);
    expect(isRunning(id)).toBe(false);
    expect(await gone).toBe('SIGTERM');
    expect(isRunning(id)).toBe(false);
    expect(readStartTime(child.pid)).toBeNull();
  });
});

describe('terminate', () => {
  it('resolves true at once for a process that is already gone', async () => {
    const child = start('sleep', ['30']);
    const id = identify(child.pid);
    const gone = exitSignal(child);
    child.kill('SIGKILL');
    await gone;
    const started = Date.now();
    expect(await terminate(id, 2_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('never signals a pid whose start time does not match its record', async () => {
    const child = start('sleep', ['30']);
    const real = identify(child.pid);
    const stale = { pid: child.pid, start_time: (real.start_time ?? 0) - 1 };
    expect(await terminate(stale, 200)).toBe(true);
    signal(stale, 'SIGKILL');
    expect(isRunning(real)).toBe(true);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const child = start('sh', ['-c', 'trap "" TERM; exec sleep 30']);
    // Ready when sh has set the trap and exec'd sleep, which inherits the ignored SIGTERM.
    await until(() => ignoresTerm(child.pid, 'sleep'), 'sleep to ignore SIGTERM');
    const id = identify(child.pid);
    const gone = exitSignal(child);

    const graceMs = 500;
    const started = Date.now();
    expect(await terminate(id, graceMs)).toBe(true);
    const elapsed = Date.now() - started;

    expect(await gone).toBe('SIGKILL');
    expect(isRunning(id)).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(graceMs - 50);
    expect(elapsed).toBeLessThan(graceMs + 2_000);
  });
});

describe('waitForExit', () => {
  it('returns false when the process outlives the timeout, true once it has exited', async () => {
    const child = start('sleep', ['30']);
    const id = identify(child.pid);
    expect(await waitForExit(id, 150)).toBe(false);
    const gone = exitSignal(child);
    signal(id, 'SIGTERM');
    expect(await waitForExit(id, 5_000)).toBe(true);
    expect(await gone).toBe('SIGTERM');
  });
});
