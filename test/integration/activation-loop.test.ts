/**
 * The bench workers' plain loop of workflow activations (src/temporal/activation-loop.ts) on a real
 * dev server: workflows of every bench type complete through it, the worker's counts return to
 * zero, a worker with open workflows in its cache stops cleanly, an error reported when
 * completing an activation (injected by the test after Core took the completion) fails the
 * worker, and replay keeps the SDK's own pipeline.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  benchWorkflowBundle,
  createBenchWorkers,
  type BenchWorkers,
} from '../../src/bench/worker.js';
import { WORKFLOW_TYPES, workflowCall } from '../../src/bench/workflow-types.js';
import { connectClient, type ConnectedClient } from '../../src/temporal/connection.js';
import { eventually } from '../helpers/cli.js';
import { connectionConfig, startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
let session: ConnectedClient;
beforeAll(async () => {
  [server] = await Promise.all([startDevServer(), benchWorkflowBundle()]);
  session = await connectClient(connectionConfig(server));
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
});

/** The SDK's members the loop replaces or drives (protected in its types). */
interface Internals {
  handleWorkflowActivations: (...args: unknown[]) => unknown;
  handleActivation: (state: unknown, input: { synthetic: boolean }) => Promise<unknown>;
  nativeWorker: { completeWorkflowActivation: (completion: Buffer) => Promise<void> };
}
const sdk = Worker.prototype as unknown as Internals;

function benchWorkers(taskQueue: string, count = 2): Promise<BenchWorkers> {
  return createBenchWorkers({
    connect: () => NativeConnection.connect({ address: server.address }),
    namespace: server.namespace,
    taskQueue,
    count,
    identityPrefix: taskQueue,
  });
}

describe('loopWorkflowActivations (the bench workers)', () => {
  it('runs every bench workflow type without the SDK’s per-run pipeline, and its counts return to zero', async () => {
    const pipeline = vi.spyOn(sdk, 'handleWorkflowActivations');
    const handle = vi.spyOn(sdk, 'handleActivation');
    const bench = await benchWorkers('activation-loop-types');
    const running = bench.run();
    try {
      const params = { activityCount: 3, timerDurationMs: 100, childCount: 2 };
      // Several of each at once: activations of different runs interleave, those of one run queue.
      const results = await Promise.all(
        WORKFLOW_TYPES.flatMap((type) =>
          [0, 1, 2].map((i) => {
            const call = workflowCall(type, params);
            return session.client.workflow.execute(call.name, {
              taskQueue: 'activation-loop-types',
              workflowId: `activation-loop-${type}-${i}`,
              args: call.args,
            });
          }),
        ),
      );
      expect(results).toHaveLength(WORKFLOW_TYPES.length * 3);
      expect(results.filter((r) => r === 3)).toHaveLength(6); // multi-activity, state-transitions
      expect(results.filter((r) => r === 2)).toHaveLength(3); // child
      expect(pipeline).not.toHaveBeenCalled();
      // A task and an eviction at least for each of the 15 workflows and the 6 children.
      expect(handle.mock.calls.length).toBeGreaterThanOrEqual(2 * 21);
      // Every completed run was evicted from the cache; nothing is left in flight.
      for (const worker of bench.workers) {
        await eventually(
          'the worker’s cache and activations to empty',
          () => {
            const s = worker.getStatus();
            return s.numCachedWorkflows === 0 && s.numInFlightWorkflowActivations === 0
              ? true
              : undefined;
          },
          5_000,
          10,
        );
      }
    } finally {
      bench.shutdown();
      await running;
    }
  });

  it('evicts the workflows still cached when the worker stops, and stops', async () => {
    const handle = vi.spyOn(sdk, 'handleActivation');
    const bench = await benchWorkers('activation-loop-shutdown');
    const running = bench.run();
    const open = 4;
    // Timers of an hour: after their first task the workflows wait in the workers' caches.
    await Promise.all(
      Array.from({ length: open }, (_, i) =>
        session.client.workflow.start('timerWorkflow', {
          taskQueue: 'activation-loop-shutdown',
          workflowId: `activation-loop-open-${i}`,
          args: [3_600_000],
        }),
      ),
    );
    const cached = () => bench.workers.reduce((n, w) => n + w.getStatus().numCachedWorkflows, 0);
    await eventually(
      'the open workflows in the caches',
      () => (cached() === open ? true : undefined),
      5_000,
      10,
    );

    bench.shutdown();
    await running;
    expect(cached()).toBe(0);
    for (const worker of bench.workers) expect(worker.getState()).toBe('STOPPED');
    // One eviction per open workflow, made up when polling stopped (no completion sent for it).
    const synthetic = handle.mock.calls.filter(([, input]) => input.synthetic);
    expect(synthetic).toHaveLength(open);
  });

  it('fails the worker when completing an activation reports an error (injected by the test after Core took it)', async () => {
    // One worker: the pool's run rejects at the first worker that fails.
    const bench = await benchWorkers('activation-loop-refused', 1);
    const refused = new Error('refused by the test');
    for (const worker of bench.workers) {
      const native = (worker as unknown as Internals).nativeWorker;
      const complete = native.completeWorkflowActivation.bind(native);
      // Core takes the completion, then reports an error (a refusal that keeps nothing pending).
      vi.spyOn(native, 'completeWorkflowActivation').mockImplementationOnce(async (completion) => {
        await complete(completion);
        throw refused;
      });
    }
    const running = bench.run();
    await session.client.workflow.start('simpleWorkflow', {
      taskQueue: 'activation-loop-refused',
      workflowId: 'activation-loop-refused',
    });
    await expect(running).rejects.toThrow('refused by the test');
    expect(bench.workers[0]!.getState()).toBe('FAILED');
  });

  it('leaves replay to the SDK’s pipeline', async () => {
    const bench = await benchWorkers('activation-loop-replay');
    const running = bench.run();
    try {
      await session.client.workflow.execute('multiActivityWorkflow', {
        taskQueue: 'activation-loop-replay',
        workflowId: 'activation-loop-replay',
        args: [2],
      });
    } finally {
      bench.shutdown();
      await running;
    }
    const history = await session.client.workflow
      .getHandle('activation-loop-replay')
      .fetchHistory();
    const pipeline = vi.spyOn(sdk, 'handleWorkflowActivations');
    await Worker.runReplayHistory({ workflowBundle: await benchWorkflowBundle() }, history);
    expect(pipeline).toHaveBeenCalled();
  });
});
