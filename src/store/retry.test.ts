import { describe, expect, it } from 'vitest';

import { StoreQueryError } from './driver.js';
import { backoffMs, isOccConflict, withOccRetry } from './retry.js';

/** Our own error carrying a SQLSTATE, standing in for the database's conflict report. */
class FakeSqlStateError extends Error {
  constructor(readonly code: string) {
    super(`simulated SQLSTATE ${code}`);
  }
}

/** A function that fails with `code` for its first `failures` calls, then returns 'ok'. */
function failing(code: string, failures: number) {
  let calls = 0;
  return {
    fn: () => {
      calls++;
      return calls <= failures
        ? Promise.reject(new FakeSqlStateError(code))
        : Promise.resolve('ok');
    },
    calls: () => calls,
  };
}

const noSleep = { sleep: () => Promise.resolve(), random: () => 0.5 };

describe('withOccRetry (simulated SQLSTATE errors)', () => {
  it.each(['40001', 'OC000', 'OC001'])('retries on %s and then succeeds', async (code) => {
    const f = failing(code, 2);
    await expect(withOccRetry(f.fn, noSleep)).resolves.toBe('ok');
    expect(f.calls()).toBe(3);
  });

  it('retries on a wrapped StoreQueryError carrying a conflict SQLSTATE', async () => {
    let calls = 0;
    const fn = () => {
      calls++;
      return calls === 1
        ? Promise.reject(new StoreQueryError('q', 'OC000', []))
        : Promise.resolve(1);
    };
    await expect(withOccRetry(fn, noSleep)).resolves.toBe(1);
    expect(calls).toBe(2);
  });

  it.each(['23505', '42P01', '40P01', 'ECONNRESET'])('does not retry on %s', async (code) => {
    const f = failing(code, 1);
    await expect(withOccRetry(f.fn, noSleep)).rejects.toMatchObject({ code });
    expect(f.calls()).toBe(1);
  });

  it('does not retry on an error without a code', async () => {
    let calls = 0;
    const fn = () => {
      calls++;
      return Promise.reject(new Error('boom'));
    };
    await expect(withOccRetry(fn, noSleep)).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('gives up after `attempts` tries and throws the last conflict', async () => {
    const f = failing('40001', 100);
    await expect(withOccRetry(f.fn, { ...noSleep, attempts: 4 })).rejects.toMatchObject({
      code: '40001',
    });
    expect(f.calls()).toBe(4);
  });

  it('sleeps with full jitter, capped at maxMs', async () => {
    const waits: number[] = [];
    const f = failing('40001', 6);
    await withOccRetry(f.fn, {
      attempts: 7,
      baseMs: 100,
      maxMs: 1000,
      random: () => 0.999,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    expect(waits).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('backoff is zero with random 0 and bounded by the cap', () => {
    expect(backoffMs(3, 50, 2000, () => 0)).toBe(0);
    expect(backoffMs(30, 50, 2000, () => 0.9999)).toBeLessThan(2000);
  });

  it('classifies conflicts', () => {
    expect(isOccConflict(new FakeSqlStateError('40001'))).toBe(true);
    expect(isOccConflict(new FakeSqlStateError('23505'))).toBe(false);
    expect(isOccConflict('40001')).toBe(false);
    expect(isOccConflict(null)).toBe(false);
  });
});
