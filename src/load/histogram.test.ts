import { describe, expect, it } from 'vitest';

import { LatencyHistogram, bucketOf } from './histogram.js';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('LatencyHistogram', () => {
  it('keeps 3 significant digits: every percentile within 0.1% of the exact value', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const v = Math.round(((seed / 2 ** 31) ** 3 * 60_000 + 0.5) * 1_000) / 1_000;
      values.push(v);
      h.recordMs(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(h.percentileMs(p) - exact) / exact).toBeLessThan(0.001);
    }
    expect(h.percentileMs(100)).toBe(values.at(-1));
  });

  it('records small values exactly and buckets large ones by their top 11 bits', () => {
    expect(bucketOf(2_047)).toBe(2_047);
    expect(bucketOf(2_049)).toBe(2_048);
    expect(bucketOf(1_000_001)).toBe(999_936);
  });

  it('merging equals recording everything in one histogram (percentiles never averaged)', () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 990; i++) {
      fast.recordMs(10);
      all.recordMs(10);
    }
    for (let i = 0; i < 10; i++) {
      slow.recordMs(5_000);
      all.recordMs(5_000);
    }
    const merged = LatencyHistogram.merged([fast, slow]);
    expect(merged.summary()).toEqual(all.summary());
    // Averaging per-run p99s would give (10 + 5000) / 2; the merged p99 is the true one.
    expect(merged.percentileMs(99)).toBeCloseTo(10, 1);
    expect(merged.percentileMs(99.5)).toBe(5_000);
    expect(merged.count).toBe(1_000);
  });

  it('survives a JSON round trip', () => {
    const h = new LatencyHistogram();
    for (const v of [0.2, 3, 17.5, 250, 9_999]) h.recordMs(v);
    const back = LatencyHistogram.fromJSON(
      JSON.parse(JSON.stringify(h)) as ReturnType<LatencyHistogram['toJSON']>,
    );
    expect(back.summary()).toEqual(h.summary());
    expect(new LatencyHistogram().summary().p99).toBe(0);
  });
});
