import { describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../../errors.js';

import { buildListQuery } from './list.js';

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
