import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

import { historyFromFile } from '../../../test/helpers/history-file.js';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/histories/samples');

/**
 * Sample histories (scripts/record-sample-histories.ts) replay on the current code: a workLoop run
 * recorded before it continued as new, whose server suggested it (the patch keeps it going), and
 * one recorded since (it continued as new after the patch marker).
 */
describe('sample workflow histories replay on the current code', () => {
  it('replays every recorded history without nondeterminism', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['before-continue-as-new-work-loop.json', 'work-loop.json']);
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: resolve(import.meta.dirname, 'index.ts'),
      logger: new DefaultLogger('WARN'),
    });
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromFile(join(FIXTURES, file)),
    }));
    const failures: string[] = [];
    const replayed: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      replayed.push(result.workflowId);
      if (result.error !== undefined) {
        failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(replayed.sort()).toEqual(histories.map((h) => h.workflowId).sort());
  }, 120_000);
});
