import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findMaxRate } from '../../src/bench/find-max.js';
import { freshNamespace } from '../../src/bench/run-benchmark.js';
import { connectionConfig, startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('headway bench find-max against a real dev server', () => {
  it('steps the rate up, each step on its own queue and worker process, and reports the highest sustained', async () => {
    const namespace = freshNamespace();
    const result = await findMaxRate({
      workflowType: 'simple',
      connection: connectionConfig(server, namespace),
      taskQueue: 'find-max-it',
      startRate: 4,
      maxSteps: 2,
      stepDurationMs: 3_000,
      rampUpMs: 0,
      maxP99LatencyMs: 10_000,
      workers: 1,
      activityCount: 1,
      timerDurationMs: 0,
      childCount: 1,
      progress: () => undefined,
      logger: pino({ level: 'silent' }),
    });
    expect(result.steps.map((s) => s.rate)).toEqual([4, 8]);
    expect(result.steps.every((s) => s.sustained)).toBe(true);
    expect(result.maxSustainedRate).toBe(8);
    expect(result.steps.map((s) => s.taskQueue)).toEqual(['find-max-it-1', 'find-max-it-2']);
    // Each step's workflows ran on its own queue: the server counts them there.
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace });
      for (const [queue, starts] of [
        ['find-max-it-1', 12],
        ['find-max-it-2', 24],
      ] as const) {
        const { count } = await client.workflow.count(
          `TaskQueue = "${queue}" AND ExecutionStatus = "Completed"`,
        );
        expect(count).toBe(starts);
      }
    } finally {
      await connection.close();
    }
  });
});
