import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../config/load.js';
import { writeStackConfig } from '../stack/stack-config.js';
import { stateLayout } from '../stack/state.js';

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
  /** A state dir holding the config of a stack started with `up --temporal-port 7301`. */
  function stackStartedOn(port: number): string {
    const stateDir = mkdtempSync(join(tmpdir(), 'headway-temporal-options-'));
    dirs.push(stateDir);
    const started = loadConfig({
      env: {},
      flags: { state_dir: stateDir, stack: { monitored: { grpc_port: port } } },
    }).config;
    writeStackConfig(started, stateLayout(stateDir));
    return stateDir;
  }

  it('is the running stack’s monitored server when nothing names one', () => {
    const stateDir = stackStartedOn(7301);
    expect(loadTemporalCommandConfig({ stateDir }, [], {}).connection.address).toBe(
      '127.0.0.1:7301',
    );
  });

  it('is 127.0.0.1:7233 with no stack recorded', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'headway-temporal-options-'));
    dirs.push(stateDir);
    expect(loadTemporalCommandConfig({ stateDir }, [], {}).connection.address).toBe(
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
