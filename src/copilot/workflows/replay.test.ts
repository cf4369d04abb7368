import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { replayHistoriesIn } from '../../../test/helpers/history-file.js';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/histories');

describe('copilot workflow histories replay on the current code', () => {
  it('replays every recorded history without nondeterminism', async () => {
    const r = await replayHistoriesIn(FIXTURES, resolve(import.meta.dirname, 'index.ts'));
    expect(r.files.length).toBeGreaterThanOrEqual(5);
    expect(r.failures).toEqual([]);
    expect(r.replayed).toEqual(r.files.map((f) => f.replace(/\.json$/, '')));
  }, 120_000);
});
