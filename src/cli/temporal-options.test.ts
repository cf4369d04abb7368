import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { stackStartedWith } from '../../test/helpers/stack-files.js';

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
  /** A stack started with `up --temporal-port PORT`. */
  function stackStartedOn(port: number, supervisor: 'running' | 'crashed' = 'running'): string {
    const stateDir = stackStartedWith({ stack: { monitored: { grpc_port: port } } }, supervisor);
    dirs.push(stateDir);
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
