import { readFileSync } from 'node:fs';
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
