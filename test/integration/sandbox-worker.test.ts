/**
 * The bench's shared workflow sandbox on a real dev server: N workers, one workflow creator, and
 * the sandbox outlives any one worker that stops, and the bench's cheaper switch between workflows.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInContext, type Context } from 'node:vm';

import { NativeConnection, Worker } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker.js';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createBenchActivities } from '../../src/bench/activities.js';
import { benchWorkflowBundle, BENCH_WORKFLOWS_PATH } from '../../src/bench/worker.js';
import { WORKFLOW_TYPES, workflowCall } from '../../src/bench/workflow-types.js';
import { ActivatorSwapCreator } from '../../src/temporal/activator-swap.js';
import { WorkerPool, bundleOnce } from '../../src/temporal/worker-pool.js';
import { eventually } from '../helpers/cli.js';
import { connectClient } from '../../src/temporal/connection.js';
import { connectionConfig, startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
beforeAll(async () => {
  [server] = await Promise.all([startDevServer(), benchWorkflowBundle()]);
});
afterAll(async () => {
  await server?.stop();
});

function pool(taskQueue: string, shared: boolean, globalsUntouched = false): WorkerPool {
  return new WorkerPool({
    connect: () => NativeConnection.connect({ address: server.address }),
    namespace: server.namespace,
    taskQueue,
    count: 2,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    workflowBundle: () => benchWorkflowBundle(),
    identityPrefix: taskQueue,
    sharedSandbox: shared,
    globalsUntouchedSandbox: globalsUntouched,
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
    const { client, close: disconnect } = await connectClient(connectionConfig(server));
    try {
      const [first, second] = p.workers;
      second!.shutdown();
      // Stopped means its workflow creator was destroyed (the SDK does it on the way out).
      await eventually(
        'the second worker to stop',
        () => (second!.getState() === 'STOPPED' ? true : undefined),
        5_000,
        10,
      );
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
      await disconnect();
    }
  });
});

describe('the bench bundle in a reused sandbox', () => {
  const WORKFLOW_API = './node_modules/@temporalio/workflow/lib/index.js';
  /** The bench's workflows module, as the bundle names it (from the project's root). */
  const BENCH_MODULE = `./${relative(fileURLToPath(new URL('../../', import.meta.url)), BENCH_WORKFLOWS_PATH)}`;

  /** Whether `id` sits in the sandbox's shared module cache once the sandbox is built. */
  async function sharedInSandbox(bundle: Awaited<ReturnType<typeof bundleOnce>>, id: string) {
    // Parsed as a Worker parses it (the code, its source map and a file name).
    const creator = await ReusableVMWorkflowCreator.create(
      parseWorkflowCode(bundle.code),
      1_000,
      new Set(),
    );
    try {
      // No workflow is active: the module cache answers from the shared modules only.
      const cache = (creator as unknown as { context: Record<string, Record<string, unknown>> })
        .context.__webpack_module_cache__!;
      return cache[id] !== undefined;
    } finally {
      await creator.destroy();
    }
  }

  it('evaluates the SDK’s workflow API and the bench’s workflows once per sandbox, not once per workflow', async () => {
    const preloaded = await benchWorkflowBundle();
    expect(await sharedInSandbox(preloaded, WORKFLOW_API)).toBe(true);
    expect(await sharedInSandbox(preloaded, BENCH_MODULE)).toBe(true);
    // The same workflows bundled without preloading: each workflow would evaluate them again.
    const plain = await bundleOnce(BENCH_WORKFLOWS_PATH);
    expect(await sharedInSandbox(plain, WORKFLOW_API)).toBe(false);
    expect(await sharedInSandbox(plain, BENCH_MODULE)).toBe(false);
  });
});

describe('WorkerPool globalsUntouchedSandbox (the bench workers)', () => {
  /** The sandbox's own view of its globals: each key and the value it holds. */
  function globalsOf(context: Context): Map<PropertyKey, unknown> {
    const keys = runInContext('Reflect.ownKeys(globalThis)', context) as PropertyKey[];
    // Set per workflow by the SDK and by the swap itself.
    const perWorkflow = new Set<PropertyKey>(['__TEMPORAL_ACTIVATOR__', '__TEMPORAL_BAG_HOLDER__']);
    return new Map(
      keys
        .filter((k) => !perWorkflow.has(k))
        .map((k) => [k, (context as Record<PropertyKey, unknown>)[k]]),
    );
  }

  it('runs every bench workflow type, interleaved, and none of them leaves a global behind', async () => {
    const create = vi.spyOn(ActivatorSwapCreator, 'create');
    const p = pool('sandbox-activator-swap', true, true);
    try {
      await p.create();
      // The swap is in use: one creator of this class for both workers.
      expect(create).toHaveBeenCalledTimes(1);
      const creator = (await create.mock.results[0]!.value) as unknown as { context: Context };
      const before = globalsOf(creator.context);
      const running = p.run();
      const { client, close: disconnect } = await connectClient(connectionConfig(server));
      try {
        const params = { activityCount: 2, timerDurationMs: 200, childCount: 2 };
        // Several of each at once, so the sandbox switches workflows between their activations.
        const results = await Promise.all(
          WORKFLOW_TYPES.flatMap((type) =>
            [0, 1, 2].map((i) => {
              const call = workflowCall(type, params);
              return client.workflow.execute(call.name, {
                taskQueue: 'sandbox-activator-swap',
                workflowId: `sandbox-activator-swap-${type}-${i}`,
                args: call.args,
              });
            }),
          ),
        );
        expect(results).toHaveLength(WORKFLOW_TYPES.length * 3);
        expect(results.filter((r) => r === 2)).toHaveLength(9); // multi-activity, child, state-transitions
        // Read while the workers run: the last to stop destroys the sandbox.
        const after = globalsOf(creator.context);
        expect([...after.keys()]).toEqual([...before.keys()]);
        for (const [key, value] of before) expect(after.get(key), String(key)).toBe(value);
      } finally {
        p.shutdown();
        await running;
        await disconnect();
      }
    } finally {
      create.mockRestore();
    }
  });
});
