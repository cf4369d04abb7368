import { describe, expect, it } from 'vitest';

import { parseSampleValue } from './prometheus-answer.js';

describe('parseSampleValue', () => {
  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['1e3', 1000],
    ['NaN', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
  ])('%s → %d', (raw, expected) => {
    expect(parseSampleValue(raw)).toBe(expected);
  });

  it.each([[''], ['abc'], [1], [null]])('%j is not a sample value', (raw) => {
    expect(parseSampleValue(raw)).toBeUndefined();
  });
});
