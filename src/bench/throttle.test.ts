import { describe, expect, it } from 'vitest';

import { isRetryableLoadError, retryThrottled } from './throttle.js';

const grpcError = (code: number): Error => Object.assign(new Error(`code ${code}`), { code });

describe('retryThrottled', () => {
  it('asks again while the server throttles, then returns the answer', async () => {
    let calls = 0;
    const retried: unknown[] = [];
    const answer = await retryThrottled(
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(grpcError(8)) : Promise.resolve('ok');
      },
      { attempts: 5, baseMs: 1, onRetry: (err) => retried.push(err) },
    );
    expect(answer).toBe('ok');
    expect(calls).toBe(3);
    expect(retried).toHaveLength(2);
  });

  it('gives up after the attempts, and at once on an error that is not load', async () => {
    let calls = 0;
    await expect(
      retryThrottled(
        () => {
          calls += 1;
          return Promise.reject(grpcError(14));
        },
        { attempts: 3, baseMs: 1 },
      ),
    ).rejects.toThrow('code 14');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryThrottled(
        () => {
          calls += 1;
          return Promise.reject(grpcError(3));
        },
        { attempts: 3, baseMs: 1 },
      ),
    ).rejects.toThrow('code 3');
    expect(calls).toBe(1);
  });

  it('tells load errors (resource exhausted, unavailable, deadline) from the rest', () => {
    expect([4, 8, 14].map((c) => isRetryableLoadError(grpcError(c)))).toEqual([true, true, true]);
    expect([3, 5, 6, 7].map((c) => isRetryableLoadError(grpcError(c)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(isRetryableLoadError(new Error('no code'))).toBe(false);
  });
});
