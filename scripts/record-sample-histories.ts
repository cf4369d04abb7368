/**
 * Records `workLoop` histories on a real dev server whose history limit is low, so the server
 * suggests continue-as-new within a few iterations, and writes them to
 * test/fixtures/histories/samples/, which src/samples/workflows/replay.test.ts replays on the
 * current code:
 *
 *   npx tsx scripts/record-sample-histories.ts                      # current code → work-loop.json
 *   npx tsx scripts/record-sample-histories.ts --source REV --prefix before-continue-as-new-
 *                                                                   # the workflows of revision REV
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';

import { WorkerSectionSchema } from '../src/config/temporal.js';
import { createSampleWorker } from '../src/samples/worker.js';
import { testBinaries } from '../test/helpers/binaries.js';
import { startDevServer } from '../test/helpers/dev-server.js';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { workflowsAt } from './workflows-at.js';
import { scriptArgs } from './lib/script-args.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'test/fixtures/histories/samples');
/** The server suggests continue-as-new from this many events (the default is 4,096). */
const SUGGEST_AT = 30;

const { values: args } = scriptArgs(import.meta.url, {
  options: { source: { type: 'string' }, prefix: { type: 'string', default: '' } },
});

function workflowsPath(tmp: string): string {
  return workflowsAt(args.source, tmp, 'src/samples/workflows/index.ts');
}

async function main(): Promise<void> {
  const tmp = makeTempDir('headway-record-samples-');
  const server = await startDevServer({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AT },
  });
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const taskQueue = 'record-sample-histories';
    const { worker } = await createSampleWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      config: WorkerSectionSchema.parse({ shutdown_grace_s: 2 }),
      env: process.env,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: workflowsPath(tmp.path) }),
    });
    const workflowId = 'record-work-loop';
    let runId = '';
    await worker.runUntil(async () => {
      // Enough failing iterations to pass the suggestion (six events each), with signals in it.
      const handle = await client.workflow.start('workLoop', {
        taskQueue,
        workflowId,
        args: [{ step: 'fail', maxIterations: 12, instructions: ['first'] }],
      });
      runId = handle.firstExecutionRunId;
      await handle.signal('escalate', 'recorded');
      await handle.signal('injectInstruction', 'recorded instruction');
      await handle.result();
    });
    mkdirSync(OUT, { recursive: true });
    const { temporal } = await testBinaries();
    const json = execFileSync(temporal, [
      ...['workflow', 'show', '--output', 'json', '--address', server.address],
      ...['--workflow-id', workflowId, '--run-id', runId],
    ]).toString();
    const parsed = JSON.parse(json) as { events: { eventType: string }[] };
    const file = join(OUT, `${args.prefix}work-loop.json`);
    writeFileSync(file, `${JSON.stringify(parsed, null, 1)}\n`);
    console.log(
      `${file}: ${String(parsed.events.length)} events, last ${parsed.events.at(-1)?.eventType ?? ''}`,
    );
  } finally {
    await connection.close();
    await native.close();
    await server.stop();
    tmp.remove();
  }
}

await main();
