import { describe, expect, it } from 'vitest';

import { startHeapTrim } from './heap-trim.js';

describe('startHeapTrim', () => {
  it('asks for a collection once the heap in use has grown past its slack, not before', async () => {
    const trim = startHeapTrim({ intervalMs: 5, floorBytes: 0, slackBytes: 64 * 2 ** 20 });
    const keep: unknown[] = [];
    try {
      // Below the slack: a few ticks go by without a collection.
      for (let tick = 0; tick < 5; tick++) await new Promise((r) => setTimeout(r, 5));
      expect(trim.collections()).toBe(0);
      // Past it (kept alive, so V8 has no reason to collect on its own first).
      for (let i = 0; i < 1_500_000; i++) keep.push({ i, s: `x${i}` });
      for (let tick = 0; tick < 400 && trim.collections() === 0; tick++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(trim.collections()).toBeGreaterThan(0);
    } finally {
      trim.stop();
      keep.length = 0;
    }
  });
});
