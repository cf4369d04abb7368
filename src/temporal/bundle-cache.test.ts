import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { bundleKey } from './bundle-cache.js';

const WORKFLOWS = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
const PRELOAD = ['@temporalio/workflow'];

describe('bundleKey', () => {
  it('is stable for the same workflows and preloads, and differs when the preloads differ', () => {
    const preloaded = bundleKey(WORKFLOWS, PRELOAD);
    expect(bundleKey(WORKFLOWS, [...PRELOAD])).toBe(preloaded);
    // A bundle stored without preloading is never served to a worker that asked for it.
    expect(bundleKey(WORKFLOWS, [])).not.toBe(preloaded);
    expect(preloaded).toMatch(/^[0-9a-f]{32}$/);
  });
});
