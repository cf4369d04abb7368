import { describe, expect, it } from 'vitest';

import { parsePayload } from './temporal-options.js';

describe('parsePayload', () => {
  it('reads JSON and falls back to the text itself', () => {
    expect(parsePayload('{"step":"pass"}')).toEqual({ step: 'pass' });
    expect(parsePayload('42')).toBe(42);
    expect(parsePayload('"quoted"')).toBe('quoted');
    expect(parsePayload('Fix the bug')).toBe('Fix the bug');
    expect(parsePayload('{not json')).toBe('{not json');
  });
});
