import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { inspectExistingStack } from './lifecycle.js';
import { identify, type ProcessIdentity } from '../os/process-identity.js';
import {
  claimStackRecord,
  ensureStateDir,
  liveServices,
  readStackRecord,
  removeStackRecord,
  stateLayout,
  writeStackRecord,
  type ServiceName,
  type StackRecord,
} from './state.js';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
});

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

function service(
  name: ServiceName,
  id: ProcessIdentity,
  status: StackRecord['services'][number]['status'] = 'running',
): StackRecord['services'][number] {
  return {
    name,
    pid: id.pid,
    start_time: id.start_time,
    started_at: '2026-11-22T04:52:07.000Z',
    status,
    restarts: 0,
    ports: { grpc: 7233 },
    url: 'http://127.0.0.1:8233',
    endpoints: [{ label: 'gRPC', value: '127.0.0.1:7233' }],
    log_file: join(dir, 'logs', `${name}.log`),
  };
}

function record(
  supervisor: ProcessIdentity,
  status: StackRecord['status'],
  services: StackRecord['services'] = [],
): StackRecord {
  return {
    version: 1,
    state_dir: dir,
    status,
    started_at: '2026-11-22T04:52:07.000Z',
    supervisor: { ...supervisor, mode: 'detached' },
    services,
  };
}

function startSleep(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start sleep');
  return child as ChildProcess & { pid: number };
}

/** The identity of a process that has exited (and been reaped). */
async function deadIdentity(): Promise<ProcessIdentity> {
  const child = startSleep();
  const id = identify(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return id;
}

function catchHeadwayError(fn: () => unknown): HeadwayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadwayError);
    return err as HeadwayError;
  }
  throw new Error('expected a HeadwayError, but nothing was thrown');
}

describe('stack record', () => {
  it('reads nothing when there is no record, or no state dir at all', () => {
    expect(readStackRecord(dir)).toBeUndefined();
    expect(readStackRecord(join(dir, 'does-not-exist'))).toBeUndefined();
  });

  it('round-trips a record through writeStackRecord, leaving no temporary file', () => {
    const r = record(identify(process.pid), 'ready', [
      service('temporal-monitored', identify(process.pid)),
      service('prometheus', { pid: 12345, start_time: null }, 'failed'),
    ]);
    writeStackRecord(r);
    expect(readStackRecord(dir)).toEqual(r);
    expect(readdirSync(dir)).toEqual(['stack.json']);

    const updated = { ...r, status: 'stopping' as const };
    writeStackRecord(updated);
    expect(readStackRecord(dir)?.status).toBe('stopping');
    removeStackRecord(dir);
    expect(readStackRecord(dir)).toBeUndefined();
  });

  it('lets only the first claim create the record', () => {
    const first = record(identify(process.pid), 'starting');
    const second = { ...record({ pid: 1, start_time: 1 }, 'starting') };
    expect(claimStackRecord(first)).toBe(true);
    expect(claimStackRecord(second)).toBe(false);
    expect(readStackRecord(dir)).toEqual(first);
  });

  it('fails with STATE_CORRUPT and a hint for a record that is not JSON', () => {
    writeFileSync(stateLayout(dir).record, '{"version": 1, "status": ');
    const err = catchHeadwayError(() => readStackRecord(dir));
    expect(err.code).toBe(ErrorCode.StateCorrupt);
    expect(err.message).toContain(stateLayout(dir).record);
    expect(err.hint).toMatch(/delete that file|headway down --volumes/);
    expect(err.details.length).toBeGreaterThan(0);
  });

  it('fails with STATE_CORRUPT for JSON that is not a stack record', () => {
    const bad = { ...record(identify(process.pid), 'ready'), version: 2, status: 'sleeping' };
    writeFileSync(stateLayout(dir).record, JSON.stringify(bad));
    const err = catchHeadwayError(() => readStackRecord(dir));
    expect(err.code).toBe(ErrorCode.StateCorrupt);
    expect(err.hint).toBeDefined();
    const details = err.details.join('\n');
    expect(details).toContain('version');
    expect(details).toContain('status');
  });

  it('fails with STATE_CORRUPT when the record cannot be read', () => {
    mkdirSync(stateLayout(dir).record);
    expect(catchHeadwayError(() => readStackRecord(dir)).code).toBe(ErrorCode.StateCorrupt);
  });

  it('lists only services that still run and are not marked stopped', async () => {
    const dead = await deadIdentity();
    const live = identify(startSleep().pid);
    const r = record(dead, 'ready', [
      service('temporal-monitored', live),
      service('temporal-copilot', dead),
      service('prometheus', live, 'stopped'),
    ]);
    expect(liveServices(r).map((s) => s.name)).toEqual(['temporal-monitored']);
  });
});

describe('ensureStateDir', () => {
  it('creates the state dir and its logs dir', () => {
    const stateDir = join(dir, 'a', 'b');
    ensureStateDir(stateDir);
    expect(statSync(join(stateDir, 'logs')).isDirectory()).toBe(true);
    // Again on an existing directory: fine.
    expect(() => ensureStateDir(stateDir)).not.toThrow();
  });

  it('fails with STATE_DIR_INVALID for a path that is a regular file', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const err = catchHeadwayError(() => ensureStateDir(file));
    expect(err.code).toBe(ErrorCode.StateDirInvalid);
    expect(err.message).toContain(file);
    expect(err.hint).toBeDefined();
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('fails with STATE_DIR_INVALID when a parent is a regular file', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const err = catchHeadwayError(() => ensureStateDir(join(file, 'state')));
    expect(err.code).toBe(ErrorCode.StateDirInvalid);
    expect(err.details.length).toBeGreaterThan(0);
  });
});

describe('inspectExistingStack', () => {
  it('reports no stack when there is no record', () => {
    expect(inspectExistingStack(dir)).toEqual({ kind: 'none', removedStale: false });
  });

  it('removes a record whose supervisor and services are all gone', async () => {
    const dead = await deadIdentity();
    const deadService = await deadIdentity();
    writeStackRecord(
      record(dead, 'ready', [
        service('temporal-monitored', deadService),
        service('prometheus', dead, 'failed'),
      ]),
    );
    expect(inspectExistingStack(dir)).toEqual({ kind: 'none', removedStale: true });
    expect(existsSync(stateLayout(dir).record)).toBe(false);
  });

  it('reports a ready stack whose supervisor runs', () => {
    const r = record(identify(process.pid), 'ready', [
      service('temporal-monitored', identify(process.pid)),
    ]);
    writeStackRecord(r);
    expect(inspectExistingStack(dir)).toEqual({ kind: 'running', record: r });
    expect(existsSync(stateLayout(dir).record)).toBe(true);
  });

  it('fails with STACK_BUSY while a running supervisor is starting or stopping', () => {
    for (const status of ['starting', 'stopping'] as const) {
      writeStackRecord(record(identify(process.pid), status));
      const err = catchHeadwayError(() => inspectExistingStack(dir));
      expect(err.code).toBe(ErrorCode.StackBusy);
      expect(err.message).toContain(status);
      expect(err.message).toContain(`pid ${process.pid}`);
      expect(existsSync(stateLayout(dir).record)).toBe(true);
    }
  });

  it('treats a recycled supervisor pid (other start time) as gone', () => {
    const me = identify(process.pid);
    writeStackRecord(record({ pid: me.pid, start_time: (me.start_time ?? 0) + 1 }, 'starting'));
    expect(inspectExistingStack(dir)).toEqual({ kind: 'none', removedStale: true });
  });

  it('fails with STATE_STALE, naming the pid, when services outlive their supervisor', async () => {
    const dead = await deadIdentity();
    const orphan = startSleep();
    writeStackRecord(
      record(dead, 'ready', [
        service('temporal-monitored', identify(orphan.pid)),
        service('temporal-copilot', dead),
      ]),
    );
    const err = catchHeadwayError(() => inspectExistingStack(dir));
    expect(err.code).toBe(ErrorCode.StateStale);
    expect(err.details).toEqual([`temporal-monitored (pid ${orphan.pid})`]);
    expect(err.hint).toContain('headway down');
    // The record is kept: it is what `headway down` needs to stop the orphan.
    expect(existsSync(stateLayout(dir).record)).toBe(true);
    expect(orphan.exitCode).toBeNull();
  });

  it('propagates STATE_CORRUPT for a damaged record', () => {
    writeFileSync(stateLayout(dir).record, 'not json');
    expect(catchHeadwayError(() => inspectExistingStack(dir)).code).toBe(ErrorCode.StateCorrupt);
  });
});
