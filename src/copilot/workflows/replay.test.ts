import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/histories');

type History = temporal.api.history.v1.IHistory;

/**
 * A history in Temporal's JSON (what `temporal workflow show --output json` writes), parsed with
 * the protobufjs copy that @temporalio/proto's types belong to. Hand-written instead of the SDK's
 * `historyFromJSON` because the installed @temporalio/common carries a second protobufjs copy and
 * fails with "type must be a Type".
 */
function historyFromFile(file: string): History {
  const require = createRequire(import.meta.url);
  const protoModule: unknown = require('@temporalio/proto');
  const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
    patchProtobufRoot: (root: unknown) => { lookupType: (name: string) => unknown };
  };
  const { fromJson } = createRequire(require.resolve('@temporalio/proto'))(
    'protobufjs/ext/protojson',
  ) as { fromJson: (type: unknown, json: unknown, options: object) => History };
  return fromJson(
    patchProtobufRoot(protoModule).lookupType('temporal.api.history.v1.History'),
    JSON.parse(readFileSync(file, 'utf8')),
    { ignoreUnknownFields: true },
  );
}

describe('copilot workflow histories replay on the current code', () => {
  it('replays every recorded history without nondeterminism', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
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
