/**
 * Records the copilot workflows' histories on a real dev server and writes them to
 * test/fixtures/histories/, where the replay suite (src/copilot/workflows/replay.test.ts) replays
 * them against the current workflow code. Run after every change to a workflow's commands:
 *
 *   npx tsx scripts/record-histories.ts                       # the current code → <name>.json
 *   npx tsx scripts/record-histories.ts --source REV --prefix before-alerts-
 *                                                             # the workflows of git revision REV
 *
 * The activities are the real ones (a PGlite store in memory, webhooks to a local receiver), except
 * the collection, which is scripted: happy, then unknown, so the observe run has a state change
 * with an assessment and an alert, then a continue-as-new (three cycles a run).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';

import { Client, Connection } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { pino } from 'pino';

import { createActivities, type CopilotActivityDeps } from '../src/copilot/activities/index.js';
import { workflowIds, type ObserveInput } from '../src/copilot/types.js';
import { PrometheusClient } from '../src/signals/prometheus-client.js';
import { createPgliteDriver, MEMORY } from '../src/store/driver.js';
import { migrate } from '../src/store/migrations.js';
import { createAssessmentStore } from '../src/store/repository.js';
import { testBinaries } from '../test/helpers/binaries.js';
import { startDevServer } from '../test/helpers/dev-server.js';
import { makeSignals } from '../test/helpers/make-signals.js';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { workflowsAt } from './workflows-at.js';
import { scriptArgs } from './lib/script-args.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'test/fixtures/histories');
const CLUSTER = 'rec';
/** Part of every webhook URL: it must appear in no history. */
const WEBHOOK_SECRET = 'hook-secret-3f9c2a';

const { values: args } = scriptArgs(import.meta.url, {
  options: { source: { type: 'string' }, prefix: { type: 'string', default: '' } },
});

function workflowsPath(tmp: string): string {
  return workflowsAt(args.source, tmp, 'src/copilot/workflows/index.ts');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The history JSON with every payload's data decoded (payloads are base64 in it). */
function decoded(json: string): string {
  return json.replace(/"data": *"([A-Za-z0-9+/=]*)"/g, (_, b64: string) =>
    Buffer.from(b64, 'base64').toString('utf8'),
  );
}

/** Child workflow ids a history started, by workflow type. */
function children(history: History, type: string): string[] {
  return (history.events ?? [])
    .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    .filter((a) => a?.workflowType?.name === type)
    .map((a) => a?.workflowId ?? '');
}

async function main(): Promise<void> {
  const tmp = makeTempDir('headway-record-');
  const server = await startDevServer();
  const driver = await createPgliteDriver(MEMORY);
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${String((receiver.address() as { port: number }).port)}/${WEBHOOK_SECRET}`;
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    await migrate(driver);
    const store = createAssessmentStore(driver);
    const deps: CopilotActivityDeps = {
      prometheus: new PrometheusClient({ baseUrl: 'http://127.0.0.1:9' }),
      collect: { serverSelector: 'job="x"', workerSelector: 'job="y"' },
      logSource: undefined,
      store: () => Promise.resolve(store),
      client,
      retentionDays: 7,
      alerts: { webhooks: [`${hook}/json`], slack_webhooks: [`${hook}/slack`] },
      logger: pino({ level: 'silent' }),
    };
    let collections = 0;
    const activities = {
      ...createActivities(deps),
      // Scripted: a happy first observation, then Prometheus gone (unknown) — one state change.
      collectSignals: () => {
        collections += 1;
        const signals =
          collections === 1
            ? makeSignals()
            : makeSignals(
                {},
                {
                  quality: {
                    prometheus_ok: false,
                    target_up: null,
                    scrape_age_s: null,
                    unavailable: [],
                  },
                },
              );
        return Promise.resolve({
          signals,
          duration_ms: 3,
          errors: collections === 1 ? [] : ['prometheus: not answering queries'],
        });
      },
    };
    const taskQueue = 'record-histories';
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: workflowsPath(tmp.path) }),
      activities,
    });
    /** Fixture name → the run whose history it is. */
    const runs = new Map<string, { workflowId: string; runId: string }>();
    await worker.runUntil(async () => {
      const ids = workflowIds(CLUSTER);
      /** Starts a looping workflow and returns its first run's history once it continued as new. */
      const firstRun = async (name: string, type: string, workflowId: string, input: unknown) => {
        console.error(`recording ${name}`);
        const handle = await client.workflow.start(type, { taskQueue, workflowId, args: [input] });
        const runId = handle.firstExecutionRunId;
        await until(`${type} to continue as new`, async () => {
          const d = await client.workflow.getHandle(workflowId).describe();
          return d.runId === runId ? undefined : true;
        });
        runs.set(name, { workflowId, runId });
        return client.workflow.getHandle(workflowId, runId).fetchHistory();
      };
      const observeInput: ObserveInput = {
        cluster_id: CLUSTER,
        cadence_s: 1,
        cycles_per_run: 3,
        // A starter from before alerts did not set it (the alert child's patch reads that).
        ...(args.source === undefined ? { alert_max_attempts: 2 } : {}),
      };
      const observe = await firstRun(
        'observe',
        'observeClusterWorkflow',
        ids.observe,
        observeInput,
      );
      await firstRun('log-watcher', 'logWatcherWorkflow', ids.logWatcher, {
        cluster_id: CLUSTER,
        cadence_s: 1,
        cycles_per_run: 2,
        keep_cycles: 3,
      });
      await firstRun('scheduled', 'scheduledAssessmentWorkflow', ids.scheduled, {
        cluster_id: CLUSTER,
        interval_s: 1,
        cycles_per_run: 2,
      });
      // The state change's children (the second assessment; the first is the first observation's).
      for (const [name, type, index] of [
        ['assess', 'assessHealthWorkflow', 1],
        ['alert', 'alertWorkflow', 0],
      ] as const) {
        const id = children(observe, type)[index];
        if (id === undefined) {
          console.error(`no ${type} child in the observe history (skipped)`);
          continue;
        }
        console.error(`recording ${name}`);
        const handle = client.workflow.getHandle(id);
        await handle.result();
        runs.set(name, { workflowId: id, runId: (await handle.describe()).runId });
      }
      for (const id of [ids.observe, ids.logWatcher, ids.scheduled]) {
        // Terminated, not stopped: a stop signal that lands in a cycle ending in continue-as-new
        // is not carried over, and the recording is done anyway.
        await client.workflow.getHandle(id).terminate('recorded');
      }
    });
    mkdirSync(OUT, { recursive: true });
    // The CLI writes the JSON every Temporal tool reads (`historyToJSON` of the SDK needs one
    // protobufjs copy, and this install has two).
    const { temporal } = await testBinaries();
    for (const [name, run] of runs) {
      const json = execFileSync(temporal, [
        ...['workflow', 'show', '--output', 'json', '--address', server.address],
        ...['--workflow-id', run.workflowId, '--run-id', run.runId],
      ]).toString();
      if (decoded(json).includes(WEBHOOK_SECRET)) {
        throw new Error(`a webhook URL is in the ${name} history`);
      }
      const file = join(OUT, `${args.prefix}${name}.json`);
      const parsed = JSON.parse(json) as { events: unknown[] };
      writeFileSync(file, `${JSON.stringify(parsed, null, 1)}\n`);
      console.log(`${file}: ${String(parsed.events.length)} events`);
    }
  } finally {
    await connection.close();
    await native.close();
    await driver.close();
    await new Promise((r) => receiver.close(r));
    await server.stop();
    tmp.remove();
  }
}

await main();
