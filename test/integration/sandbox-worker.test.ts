/**
 * The bench's shared workflow sandbox on a real dev server: N workers, one workflow creator, and
 * the sandbox outlives any one worker that stops.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createBenchActivities } from '../../src/bench/activities.js';
import { benchWorkflowBundle, BENCH_WORKFLOWS_PATH } from '../../src/bench/worker.js';
import { WorkerPool } from '../../src/temporal/worker-pool.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
beforeAll(async () => {
  [server] = await Promise.all([startDevServer(), benchWorkflowBundle()]);
});
afterAll(async () => {
  await server?.stop();
});

function pool(taskQueue: string, shared: boolean): WorkerPool {
  return new WorkerPool({
    connect: () => NativeConnection.connect({ address: server.address }),
    namespace: server.namespace,
    taskQueue,
    count: 2,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    workflowBundle: () => benchWorkflowBundle(),
    identityPrefix: taskQueue,
    sharedSandbox: shared,
    worker: () => ({ activities: createBenchActivities(), debugMode: true }),
  });
}

describe('WorkerPool sharedSandbox', () => {
  it('creates one workflow creator for all the workers, one each without it', async () => {
    const spy = vi.spyOn(
      Worker as unknown as { createWorkflowCreator: () => unknown },
      'createWorkflowCreator',
    );
    try {
      const shared = pool('sandbox-shared-count', true);
      await shared.create();
      expect(spy).toHaveBeenCalledTimes(1);
      const separate = pool('sandbox-separate-count', false);
      await separate.create();
      expect(spy).toHaveBeenCalledTimes(3);
      // Created, never run: shutting down closes what they hold.
      for (const p of [shared, separate]) {
        const running = p.run();
        p.shutdown();
        await running;
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the sandbox while one worker runs: workflows complete after the other stopped', async () => {
    const p = pool('sandbox-shared-stop', true);
    await p.create();
    const running = p.run();
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace });
      const [first, second] = p.workers;
      second!.shutdown();
      // Stopped means its workflow creator was destroyed (the SDK does it on the way out).
      for (let i = 0; i < 500 && second!.getState() !== 'STOPPED'; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(second!.getState()).toBe('STOPPED');
      // The first worker still runs workflows on the sandbox the stopped one shared.
      for (let i = 0; i < 5; i++) {
        await client.workflow.execute('multiActivityWorkflow', {
          taskQueue: 'sandbox-shared-stop',
          workflowId: `sandbox-shared-stop-${i}`,
          args: [1],
        });
      }
      expect(first!.getState()).toBe('RUNNING');
    } finally {
      p.shutdown();
      await running;
      await connection.close();
    }
  });
});
