import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../config/load.js';

import { sampleArgs } from './start.js';

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
