import { describe, expect, it } from 'vitest';

import { BENCH_HEAP_ENV, BENCH_HEAP_MB, nodeFlagsFor } from './node-flags.js';

describe('nodeFlagsFor: Node flags a command needs at start', () => {
  it('caps the heap of bench run and bench find-max, nothing else', () => {
    const cap = [`--max-old-space-size=${BENCH_HEAP_MB}`];
    expect(nodeFlagsFor(['bench', 'run', '--rate', '50'], {})).toEqual(cap);
    expect(nodeFlagsFor(['bench', 'find-max'], {})).toEqual(cap);
    expect(nodeFlagsFor(['bench', 'report', 'r.json'], {})).toEqual([]);
    expect(nodeFlagsFor(['up'], {})).toEqual([]);
    expect(nodeFlagsFor(['copilot', 'run'], {})).toEqual([]);
    expect(nodeFlagsFor([], {})).toEqual([]);
  });

  it('--help needs no second process', () => {
    expect(nodeFlagsFor(['bench', 'run', '--help'], {})).toEqual([]);
    expect(nodeFlagsFor(['bench', 'find-max', '-h'], {})).toEqual([]);
  });

  it(`${BENCH_HEAP_ENV} sets the cap, 0 leaves V8's default, NODE_OPTIONS wins`, () => {
    expect(nodeFlagsFor(['bench', 'run'], { [BENCH_HEAP_ENV]: '512' })).toEqual([
      '--max-old-space-size=512',
    ]);
    expect(nodeFlagsFor(['bench', 'run'], { [BENCH_HEAP_ENV]: '0' })).toEqual([]);
    expect(nodeFlagsFor(['bench', 'run'], { NODE_OPTIONS: '--max-old-space-size=1024' })).toEqual(
      [],
    );
  });

  it.each(['abc', '-1', '1.5', '32'])(`a bad ${BENCH_HEAP_ENV} (%s) is an error naming it`, (v) => {
    expect(() => nodeFlagsFor(['bench', 'run'], { [BENCH_HEAP_ENV]: v })).toThrow(
      new RegExp(`${BENCH_HEAP_ENV} must be a whole number of MB, at least 64`),
    );
  });
});
