import { describe, expect, it } from 'vitest';

import { CONFIG_FILE_ENV, ENV_KEYS, TEMPORAL_ENV_KEYS } from '../config/env-keys.js';

import { environmentHelp } from './env-help.js';

describe('environmentHelp', () => {
  it('names every variable the config loader reads, each once', () => {
    const text = environmentHelp();
    const names = [CONFIG_FILE_ENV, ...Object.keys(ENV_KEYS), ...Object.keys(TEMPORAL_ENV_KEYS)];
    for (const name of names) {
      expect(text.match(new RegExp(`\\b${name}\\b`, 'g')), name).toHaveLength(1);
    }
  });

  it('keeps every line within 100 columns', () => {
    for (const line of environmentHelp().split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
