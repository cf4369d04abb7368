import { describe, expect, it } from 'vitest';

import {
  COPILOT_MALLOC_ARENAS,
  COPILOT_NODE_FLAGS,
  BENCH_MALLOC_ARENAS,
  BENCH_SEMI_SPACE_MB,
  BENCH_TOKIO_WORKER_THREADS,
  nodeSettingsFor,
} from './node-settings.js';

const BENCH = {
  flags: [`--max-semi-space-size=${BENCH_SEMI_SPACE_MB}`],
  env: { MALLOC_ARENA_MAX: BENCH_MALLOC_ARENAS, TOKIO_WORKER_THREADS: BENCH_TOKIO_WORKER_THREADS },
};
const NONE = { flags: [], env: {} };
const COPILOT = { flags: COPILOT_NODE_FLAGS, env: { MALLOC_ARENA_MAX: COPILOT_MALLOC_ARENAS } };

describe('nodeSettingsFor: what a command needs at process start', () => {
  it('bench run and bench find-max get the young-generation size, malloc arenas and Tokio threads', () => {
    expect(nodeSettingsFor(['bench', 'run', '--rate', '50'], {})).toEqual(BENCH);
    expect(nodeSettingsFor(['bench', 'find-max'], {})).toEqual(BENCH);
  });

  it('copilot run gets its memory flags and malloc arenas', () => {
    expect(nodeSettingsFor(['copilot', 'run', '--cadence', '30s'], {})).toEqual(COPILOT);
    expect(COPILOT_NODE_FLAGS).toEqual(
      expect.arrayContaining(['--liftoff-only', '--optimize-for-size']),
    );
    // A young-generation size in NODE_OPTIONS is the user's; Node refuses the other two there.
    expect(
      nodeSettingsFor(['copilot', 'run'], { NODE_OPTIONS: '--max-semi-space-size=8' }).flags,
    ).toEqual(['--liftoff-only', '--optimize-for-size']);
  });

  it('every other command, and --help, needs nothing (no second process)', () => {
    expect(nodeSettingsFor(['bench', 'report', 'r.json'], {})).toEqual(NONE);
    expect(nodeSettingsFor(['up'], {})).toEqual(NONE);
    expect(nodeSettingsFor(['copilot', 'worker'], {})).toEqual(NONE);
    expect(nodeSettingsFor(['copilot', 'run', '--help'], {})).toEqual(NONE);
    expect(nodeSettingsFor([], {})).toEqual(NONE);
    expect(nodeSettingsFor(['bench', 'run', '--help'], {})).toEqual(NONE);
    expect(nodeSettingsFor(['bench', 'find-max', '-h'], {})).toEqual(NONE);
  });

  it("the user's own NODE_OPTIONS, MALLOC_ARENA_MAX and TOKIO_WORKER_THREADS win", () => {
    expect(
      nodeSettingsFor(['bench', 'run'], {
        NODE_OPTIONS: '--max-semi-space-size=32',
        MALLOC_ARENA_MAX: '8',
        TOKIO_WORKER_THREADS: '2',
      }),
    ).toEqual(NONE);
    // Each setting on its own: the others are still given.
    expect(nodeSettingsFor(['bench', 'run'], { TOKIO_WORKER_THREADS: '2' }).env).toEqual({
      MALLOC_ARENA_MAX: BENCH_MALLOC_ARENAS,
    });
  });
});
