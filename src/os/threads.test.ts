import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { countOwnThreads } from './threads.js';

describe('countOwnThreads', () => {
  it('counts this process’s threads by name, and none of a name no thread has', () => {
    const main = readFileSync('/proc/self/comm', 'utf8').trim();
    expect(countOwnThreads(main)).toBeGreaterThanOrEqual(1);
    expect(countOwnThreads('no-such-thread')).toBe(0);
  });
});
