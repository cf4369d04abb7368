import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';

import { WorkerSectionSchema } from '../../src/config/temporal.js';
import { SAMPLE_WORKFLOWS_PATH, createSampleWorker } from '../../src/samples/worker.js';
import { bundleOnce } from '../../src/temporal/worker-pool.js';

import { eventually } from './cli.js';
import { startDevServer, type DevServer, type DevServerOptions } from './dev-server.js';

export interface SampleEnv {
  readonly server: DevServer;
  readonly client: Client;
  readonly taskQueue: string;
  /** Stops the worker (graceful), closes connections, stops the server. */
  readonly stop: () => Promise<void>;
}

export interface SampleEnvOptions {
  /** `worker:` section overrides, e.g. `{ steps: { … } }`. */
  readonly worker?: Record<string, unknown>;
  /** Dev server settings, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 40 }`. */
  readonly dynamicConfig?: DevServerOptions['dynamicConfig'];
}

/**
 * A real dev server, a real sample worker in this process (the same `createSampleWorker` that
 * `headway worker` runs, with the workflows bundled once per test file) and a client.
 */
export async function startSampleEnv(options: SampleEnvOptions = {}): Promise<SampleEnv> {
  installQuietRuntime();
  // Bundled while the server starts.
  const bundle = bundleOnce(SAMPLE_WORKFLOWS_PATH);
  const server = await startDevServer(
    options.dynamicConfig === undefined ? {} : { dynamicConfig: options.dynamicConfig },
  );
  const taskQueue = `samples-${process.pid}-${Date.now()}`;
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const { worker } = await createSampleWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    config: WorkerSectionSchema.parse({ shutdown_grace_s: 2, ...options.worker }),
    env: process.env,
    workflowBundle: await bundle,
  });
  const running = worker.run();
  return {
    server,
    client: new Client({ connection, namespace: 'default' }),
    taskQueue,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await native.close();
      await server.stop();
    },
  };
}

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Failures are what these suites provoke; the SDK would log each one as a warning.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Installed already by another helper in this process.
  }
}

/** Polls a query until `accept` holds for its answer; returns that answer. */
export function queryUntil<T>(
  handle: WorkflowHandle,
  query: string,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  return eventually(
    `query ${query} of ${handle.workflowId}`,
    async () => {
      const value = await handle.query<T>(query);
      return accept(value) ? value : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Status name of a workflow run (the latest when runId is omitted). */
export async function statusOf(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<string> {
  return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
}
