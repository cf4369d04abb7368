import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import type { temporal } from '@temporalio/proto';

export type History = temporal.api.history.v1.IHistory;

/**
 * A history in Temporal's JSON (what `temporal workflow show --output json` writes), parsed with
 * the protobufjs copy that @temporalio/proto's types belong to. Hand-written instead of the SDK's
 * `historyFromJSON` because the installed @temporalio/common carries a second protobufjs copy and
 * fails with "type must be a Type".
 */
export function historyFromFile(file: string): History {
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

/**
 * Replays every `*.json` history in `dir` on the workflows of `workflowsPath` (bundled here) and
 * returns the files found, the ids replayed and each failure (nondeterminism and the like).
 */
export async function replayHistoriesIn(
  dir: string,
  workflowsPath: string,
): Promise<{ files: string[]; replayed: string[]; failures: string[] }> {
  const { bundleWorkflowCode, DefaultLogger, Worker } = await import('@temporalio/worker');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath,
    logger: new DefaultLogger('WARN'),
  });
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: historyFromFile(join(dir, file)),
  }));
  const failures: string[] = [];
  const replayed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    replayed.push(result.workflowId);
    if (result.error !== undefined) {
      failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
  }
  return { files, replayed: replayed.sort(), failures };
}
