import { describe, expect, it } from 'vitest';

import { sumPatterns } from './log-watcher.js';

describe('sumPatterns', () => {
  it('adds counts by pattern and service across cycles, largest first, keeping the first sample', () => {
    const p = (pattern: string, service: string, count: number, sample = `${pattern} sample`) => ({
      pattern,
      service,
      count,
      sample_message: sample,
    });
    expect(
      sumPatterns([
        [p('a', 'history', 1, 'first'), p('b', 'matching', 5)],
        [],
        [p('a', 'history', 3, 'later'), p('a', 'frontend', 2)],
      ]),
    ).toEqual([p('b', 'matching', 5), p('a', 'history', 4, 'first'), p('a', 'frontend', 2)]);
  });

  it('gives nothing for no cycles', () => {
    expect(sumPatterns([])).toEqual([]);
  });
});
