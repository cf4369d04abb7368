import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { compiledIsCurrentIn } from './compiled-state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkout with one source file and, when `built` is given, dist/.built at that time (s). */
function checkout(built?: number) {
  const root = mkdtempSync(join(tmpdir(), 'headway-compiled-'));
  dirs.push(root);
  mkdirSync(join(root, 'src', 'bench'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  const source = join(root, 'src', 'bench', 'worker.ts');
  writeFileSync(source, '');
  utimesSync(source, 1_000, 1_000);
  if (built !== undefined) {
    writeFileSync(join(root, 'dist', '.built'), '');
    utimesSync(join(root, 'dist', '.built'), built, built);
  }
  return { url: pathToFileURL(`${root}/`), root, source };
}

describe('compiledIsCurrentIn', () => {
  it('is true when dist/ was built after every source', () => {
    expect(compiledIsCurrentIn(checkout(2_000).url)).toBe(true);
  });

  it('is false when a source changed after the build, or nothing was built', () => {
    const c = checkout(2_000);
    utimesSync(c.source, 3_000, 3_000);
    expect(compiledIsCurrentIn(c.url)).toBe(false);
    expect(compiledIsCurrentIn(checkout().url)).toBe(false);
  });

  it('leaves test files out: editing a test does not make the build stale', () => {
    const c = checkout(2_000);
    const test = join(c.root, 'src', 'bench', 'worker.test.ts');
    writeFileSync(test, '');
    utimesSync(test, 3_000, 3_000);
    expect(compiledIsCurrentIn(c.url)).toBe(true);
  });
});
