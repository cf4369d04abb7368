import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { replayHistoriesIn } from '../../../test/helpers/history-file.js';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/histories/samples');

/**
 * Sample histories (scripts/record-sample-histories.ts) replay on the current code: a workLoop run
 * recorded before it continued as new, whose server suggested it (the patch keeps it going), and
 * one recorded since (it continued as new after the patch marker).
 */
describe('sample workflow histories replay on the current code', () => {
  it('replays every recorded history without nondeterminism', async () => {
    const r = await replayHistoriesIn(FIXTURES, resolve(import.meta.dirname, 'index.ts'));
    expect(r.files).toEqual(['before-continue-as-new-work-loop.json', 'work-loop.json']);
    expect(r.failures).toEqual([]);
    expect(r.replayed).toEqual(['before-continue-as-new-work-loop', 'work-loop']);
  }, 120_000);
});
