import { describe, expect, it } from 'vitest';

import { loadConfig } from '../config/load.js';
import { ErrorCode, HeadwayError } from '../errors.js';

import { parsePayload } from './temporal-options.js';
import { buildListQuery, sampleArgs } from './workflow.js';

describe('parsePayload', () => {
  it('reads JSON and falls back to the text itself', () => {
    expect(parsePayload('{"step":"pass"}')).toEqual({ step: 'pass' });
    expect(parsePayload('42')).toBe(42);
    expect(parsePayload('"quoted"')).toBe('quoted');
    expect(parsePayload('Fix the bug')).toBe('Fix the bug');
    expect(parsePayload('{not json')).toBe('{not json');
  });
});

describe('buildListQuery', () => {
  it('combines --query, --status and --type', () => {
    expect(buildListQuery({})).toBeUndefined();
    expect(buildListQuery({ status: 'running' })).toBe('ExecutionStatus = "Running"');
    expect(buildListQuery({ status: 'CANCELLED' })).toBe('ExecutionStatus = "Canceled"');
    expect(
      buildListQuery({
        query: 'StartTime > "2026-01-01T00:00:00Z"',
        status: 'timed_out',
        type: 'workLoop',
      }),
    ).toBe(
      '(StartTime > "2026-01-01T00:00:00Z") AND ExecutionStatus = "TimedOut" AND WorkflowType = "workLoop"',
    );
  });

  it('refuses an unknown status as a usage error', () => {
    try {
      buildListQuery({ status: 'sleeping' });
      throw new Error('expected a usage error');
    } catch (err) {
      expect(err).toBeInstanceOf(HeadwayError);
      expect((err as HeadwayError).code).toBe(ErrorCode.Usage);
    }
  });
});

describe('sampleArgs', () => {
  const { config } = loadConfig({ env: { HOME: '/nonexistent' }, cwd: '/nonexistent' });
  const defaults = {
    startToCloseTimeoutMs: 600_000,
    scheduleToCloseTimeoutMs: 1_800_000,
    heartbeatTimeoutMs: 60_000,
    retry: {
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 60_000,
      maximumAttempts: 3,
    },
  };

  it('adds the configured activity timeouts and retry policy to a sample input', () => {
    expect(sampleArgs('workLoop', [{ step: 'pass' }], config)).toEqual([
      { step: 'pass', activity: defaults },
    ]);
    // No argument: the sample's own defaults, plus the configured activity options.
    expect(sampleArgs('longRunning', [], config)).toEqual([{ activity: defaults }]);
  });

  it('leaves explicit activity options, other workflow types and odd inputs alone', () => {
    const own = { step: 'pass', activity: { startToCloseTimeoutMs: 5 } };
    expect(sampleArgs('workLoop', [own], config)).toEqual([own]);
    expect(sampleArgs('someoneElsesWorkflow', [{ a: 1 }], config)).toEqual([{ a: 1 }]);
    expect(sampleArgs('workLoop', ['text'], config)).toEqual(['text']);
    expect(sampleArgs('workLoop', [{}, {}], config)).toEqual([{}, {}]);
  });
});
