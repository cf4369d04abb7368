import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../config/load.js';
import { identify } from '../os/process-identity.js';
import { writeStackConfig } from '../stack/stack-config.js';
import { stateLayout, writeStackRecord } from '../stack/state.js';

import { loadTemporalCommandConfig, parsePayload } from './temporal-options.js';

describe('parsePayload', () => {
  it('reads JSON and falls back to the text itself', () => {
    expect(parsePayload('{"step":"pass"}')).toEqual({ step: 'pass' });
    expect(parsePayload('42')).toBe(42);
    expect(parsePayload('"quoted"')).toBe('quoted');
    expect(parsePayload('Fix the bug')).toBe('Fix the bug');
    expect(parsePayload('{not json')).toBe('{not json');
  });
});

describe('loadTemporalCommandConfig: the server a command talks to', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  /**
   * A state dir holding the record and config of a stack started with `up --temporal-port PORT`,
   * its supervisor this process (running) or a pid that cannot exist (crashed).
   */
  function stackStartedOn(port: number, supervisor: 'running' | 'crashed' = 'running'): string {
    const stateDir = mkdtempSync(join(tmpdir(), 'headway-temporal-options-'));
    dirs.push(stateDir);
    const started = loadConfig({
      env: {},
      flags: { state_dir: stateDir, stack: { monitored: { grpc_port: port } } },
    }).config;
    writeStackConfig(started, stateLayout(stateDir));
    writeStackRecord({
      version: 1,
      state_dir: stateDir,
      status: 'ready',
      started_at: new Date().toISOString(),
      supervisor: {
        ...(supervisor === 'running' ? identify(process.pid) : { pid: 2 ** 22 + 1, start_time: 1 }),
        mode: 'detached',
      },
      services: [],
    });
    return stateDir;
  }

  it('is the running stack’s monitored server when nothing names one', () => {
    const stateDir = stackStartedOn(7301);
    expect(loadTemporalCommandConfig({ stateDir }, [], {}).connection.address).toBe(
      '127.0.0.1:7301',
    );
  });

  it('is 127.0.0.1:7233 with no stack recorded, or one whose supervisor is gone', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'headway-temporal-options-'));
    dirs.push(stateDir);
    expect(loadTemporalCommandConfig({ stateDir }, [], {}).connection.address).toBe(
      '127.0.0.1:7233',
    );
    // A crash left the files: the port they name means nothing now.
    const crashed = stackStartedOn(7301, 'crashed');
    expect(loadTemporalCommandConfig({ stateDir: crashed }, [], {}).connection.address).toBe(
      '127.0.0.1:7233',
    );
  });

  it('is what a flag or TEMPORAL_ADDRESS names, whatever the stack', () => {
    const stateDir = stackStartedOn(7301);
    expect(
      loadTemporalCommandConfig({ stateDir, address: 'temporal.example:7233' }, [], {}).connection
        .address,
    ).toBe('temporal.example:7233');
    expect(
      loadTemporalCommandConfig({ stateDir }, [], { TEMPORAL_ADDRESS: '10.0.0.5:7233' }).connection
        .address,
    ).toBe('10.0.0.5:7233');
  });
});
