/**
 * The scenarios' "no lost workflow" check against a real dev server: what the server says of each
 * accepted start decides, and while it drains only the workflows still open are looked up.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createBenchActivities } from '../../src/bench/activities.js';
import { benchWorkflowBundle } from '../../src/bench/worker.js';
import { checkNoLostWorkflows, type StoppedLoad } from '../../src/scenarios/lost-workflows.js';
import { connectClient, type ConnectedClient } from '../../src/temporal/connection.js';
import { connectionConfig, startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
let session: ConnectedClient;
beforeAll(async () => {
  // Worker INFO lines would drown the output; warnings and errors still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  [server] = await Promise.all([startDevServer(), benchWorkflowBundle()]);
  session = await connectClient(connectionConfig(server));
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
});

/** A load that has stopped, whose server accepted `ids`. */
function stoppedLoad(ids: readonly string[]): StoppedLoad {
  return { stop: () => Promise.resolve(), acceptedIds: () => new Set(ids) };
}

async function worker(taskQueue: string): Promise<{ stop: () => Promise<void> }> {
  const native = await NativeConnection.connect({ address: server.address });
  const w = await Worker.create({
    connection: native,
    namespace: server.namespace,
    taskQueue,
    workflowBundle: await benchWorkflowBundle(),
    activities: createBenchActivities(),
  });
  const running = w.run();
  return {
    stop: async () => {
      w.shutdown();
      await running;
      await native.close();
    },
  };
}

/** Visibility trails the history: waits (a bounded number of looks) until `ids` are listed closed. */
async function closedInVisibility(ids: readonly string[]): Promise<void> {
  const query = `WorkflowId IN (${ids.map((id) => JSON.stringify(id)).join(', ')}) AND ExecutionStatus = "Completed"`;
  for (let look = 0; look < 200; look++) {
    if ((await session.client.workflow.count(query)).count === ids.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${ids.join(', ')} not listed completed after 200 looks`);
}

const start = (workflowId: string, taskQueue: string) =>
  session.client.workflow.start('simpleWorkflow', { workflowId, taskQueue, args: [] });

/** Records the check's list queries; `afterFirst` runs once the first list has been read. */
function spyQueries(afterFirst: () => void = () => undefined): string[] {
  const queries: string[] = [];
  const list = session.client.workflow.list.bind(session.client.workflow);
  vi.spyOn(session.client.workflow, 'list').mockImplementation((options) => {
    queries.push(options?.query ?? '');
    const listed = list(options);
    if (queries.length > 1) return listed;
    return (async function* () {
      yield* listed;
      afterFirst();
    })() as unknown as typeof listed;
  });
  return queries;
}

describe('checkNoLostWorkflows on a real server', () => {
  it('waits for the open workflows, asking only for them, and passes once all completed', async () => {
    const queue = 'lost-drain';
    await start('lost-drain-1', queue);
    await start('lost-drain-2', queue);
    // No worker polls the queue before the check's first list has been read: both are open then.
    let polling: ReturnType<typeof worker> | undefined;
    const queries = spyQueries(() => {
      polling = worker(queue);
    });
    const result = await checkNoLostWorkflows(
      session.client,
      stoppedLoad(['lost-drain-1', 'lost-drain-2']),
      'lost-drain-',
      () => undefined,
      { intervalMs: 200, rounds: 500 },
    );
    await (await polling!).stop();
    expect(result).toMatchObject({
      status: 'pass',
      detail: '2 starts accepted, 2 completed (none lost)',
    });
    // The run is listed at the start and at the end; in between only the open ones are asked for.
    expect(queries[0]).toBe('WorkflowId STARTS_WITH "lost-drain-"');
    expect(queries.at(-1)).toBe('WorkflowId STARTS_WITH "lost-drain-"');
    const between = queries.slice(1, -1);
    expect(between.length).toBeGreaterThan(0);
    for (const q of between) {
      expect(q).toMatch(/^WorkflowId IN \("lost-drain-[12]"(, "lost-drain-[12]")?\)$/);
    }
  });

  it('fails on an accepted workflow still running or missing, and reports unaccepted ones', async () => {
    const queue = 'lost-fail';
    const w = await worker(queue);
    try {
      // Completed, and the client never heard its start was accepted.
      await session.client.workflow.execute('simpleWorkflow', {
        workflowId: 'lost-fail-unaccepted',
        taskQueue: queue,
        args: [],
      });
      // Accepted, and nobody polls its queue.
      await start('lost-fail-stuck', 'lost-fail-nobody-polls');
      // Accepted and completed.
      await session.client.workflow.execute('simpleWorkflow', {
        workflowId: 'lost-fail-done',
        taskQueue: queue,
        args: [],
      });
    } finally {
      await w.stop();
    }
    await closedInVisibility(['lost-fail-unaccepted', 'lost-fail-done']);
    const queries = spyQueries();
    const result = await checkNoLostWorkflows(
      session.client,
      stoppedLoad(['lost-fail-done', 'lost-fail-stuck', 'lost-fail-never-created']),
      'lost-fail-',
      () => undefined,
      { intervalMs: 100, rounds: 3 },
    );
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('3 starts accepted, 1 completed; not completed: ');
    expect(result.detail).toContain('1 RUNNING (first lost-fail-stuck)');
    expect(result.detail).toContain('1 MISSING (first lost-fail-never-created)');
    expect(result.detail).toContain(
      '1 more the client saw fail to start exist on the server (not judged)',
    );
    // Three lookups of the two open ones, between the two lists of the run.
    expect(queries).toHaveLength(5);
    await session.client.workflow.getHandle('lost-fail-stuck').terminate('test over');
  });
});
