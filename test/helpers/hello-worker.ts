import { fileURLToPath } from 'node:url';

import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

import { createHelloActivities } from '../fixtures/activities/hello.js';
import type { helloWorkflow } from '../fixtures/workflows/hello.js';

const WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/hello.ts', import.meta.url));

let runtimeInstalled = false;

/** Worker INFO lines drown test output; warnings and errors still show. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Another helper in this process installed the runtime first; keep its settings.
  }
}

/**
 * Runs `helloWorkflow` to completion on a real server: a real worker (bundled workflow code) and a
 * client start it through the SDK. Returns the workflow result.
 */
export async function runHelloWorkflow(address: string, workflowId: string): Promise<string> {
  quietRuntime();
  const taskQueue = `hello-${workflowId}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: WORKFLOWS,
      activities: createHelloActivities(),
    });
    const client = new Client({ connection, namespace: 'default' });
    return await worker.runUntil(
      client.workflow.execute<typeof helloWorkflow>('helloWorkflow', {
        taskQueue,
        workflowId,
        args: ['headway'],
        workflowExecutionTimeout: '60 seconds',
      }),
    );
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}
