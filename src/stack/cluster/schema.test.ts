import { describe, expect, it } from 'vitest';

import { compareVersions } from './schema.js';

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    expect(compareVersions('1.18', '1.9')).toBe(1);
    expect(compareVersions('1.9', '1.18')).toBe(-1);
    expect(compareVersions('1.18', '1.18')).toBe(0);
    expect(compareVersions('1.0', '1')).toBe(0);
  });
});
