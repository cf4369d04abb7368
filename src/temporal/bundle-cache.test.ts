import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { bundleKey, readStoredBundle } from './bundle-cache.js';

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

describe('readStoredBundle', () => {
  it('reads { code, sourceMap }, and nothing from a missing, broken or other file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headway-bundle-'));
    try {
      const file = (name: string, text: string): string => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const good = file('good.json', JSON.stringify({ code: 'c', sourceMap: 'm' }));
      expect(readStoredBundle(good)).toEqual({ code: 'c', sourceMap: 'm' });
      expect(readStoredBundle(join(dir, 'missing.json'))).toBeUndefined();
      expect(readStoredBundle(file('half.json', '{"code":"c","sourceMap"'))).toBeUndefined();
      expect(readStoredBundle(file('other.json', '{"code":"c"}'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
