import { randomUUID } from 'node:crypto';

import type { WorkflowService } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cleanupNamespace, terminateEach } from '../../src/bench/cleanup.js';
import {
  CompletionTracker,
  type CompletionTrackerOptions,
} from '../../src/bench/completion-tracker.js';
import {
  freshNamespace,
  runBenchmark,
  type BenchRunOptions,
} from '../../src/bench/run-benchmark.js';
import type { BenchWorkflowType } from '../../src/bench/workflow-types.js';
import { temporalDriver } from '../../src/bench/temporal-driver.js';
import { benchWorkflowBundle } from '../../src/bench/worker.js';
import { connectClient, connectNative } from '../../src/temporal/connection.js';
import { taskQueueIs } from '../../src/temporal/visibility-query.js';
import { workflowStackTracesInstalled } from '../../src/temporal/workflow-stack-traces.js';
import { eventually } from '../helpers/cli.js';
import { connectionConfig, startDevServer, type DevServer } from '../helpers/dev-server.js';
import { recordingProxy } from '../helpers/grpc-wire.js';

let server: DevServer;
beforeAll(async () => {
  [server] = await Promise.all([startDevServer(), benchWorkflowBundle()]);
});
afterAll(async () => {
  await server?.stop();
});

function options(type: BenchWorkflowType, extra: Partial<BenchRunOptions> = {}): BenchRunOptions {
  return {
    workflowType: type,
    targetRate: 5,
    durationMs: 4_000,
    rampUpMs: 1_000,
    workers: 2,
    iterations: 1,
    activityCount: 3,
    timerDurationMs: 200,
    childCount: 2,
    connection: connectionConfig(server, freshNamespace()),
    taskQueue: `bench-${type}`,
    thresholds: { maxP99LatencyMs: 10_000, minThroughput: 1 },
    generatorOnly: false,
    completionTimeoutMs: 30_000,
    progress: () => undefined,
    logger: pino({ level: 'silent' }),
    ...extra,
  };
}

describe('headway bench run against a real dev server', () => {
  it.each(['simple', 'multi-activity', 'timer', 'child-workflow', 'state-transitions'] as const)(
    '%s: every scheduled workflow starts and completes',
    async (type) => {
      const results = await runBenchmark(options(type));
      const m = results.results;
      // 1 s ramp from 1/s to 5/s (3 starts) then 3 s at 5/s (15).
      expect(m.workflowsIntended).toBe(18);
      expect(m.workflowsStarted).toBe(18);
      expect(m.workflowsCompleted).toBe(18);
      expect(m.workflowsFailed).toBe(0);
      expect(results.passed).toBe(true);
      expect(results.config.namespace).toMatch(/^bench-/);
      expect(results.config.workerCount).toBe(2);
      expect(results.system.server.historyShards).toBeGreaterThan(0);
      expect(m.latency.count).toBe(18);
      if (type === 'timer') expect(m.latency.p50).toBeGreaterThanOrEqual(200);
      if (type === 'multi-activity') {
        // 40% of 3 → 1 in parallel, then 2 in sequence: three rounds of at least 100 ms each.
        expect(m.latency.p50).toBeGreaterThanOrEqual(300);
        expect(results.config.activityCount).toBe(3);
      }
    },
  );

  it('--eager-start: the server hands first workflow tasks to the in-process workers', async () => {
    const opts = options('simple', { eagerStart: true });
    const results = await runBenchmark(opts);
    expect(results.results.workflowsCompleted).toBe(18);
    expect(results.config.eagerStart).toBe(true);
    // The server counts each start it answered with the first task (history's own metric, which
    // its reporter publishes once a second; Prometheus labels have `_` for `-`). A start may still
    // go the usual way (the worker had no slot to offer yet): most, not all, must be eager.
    const eagerStarts = async (): Promise<number> =>
      (await (await fetch(server.metricsUrl)).text())
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('workflow_eager_execution{') &&
            l.includes(`namespace="${opts.connection.namespace.replaceAll('-', '_')}"`),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    let eager = await eagerStarts();
    for (let read = 1; eager < 12 && read < 30; read++) {
      await new Promise((r) => setTimeout(r, 500));
      eager = await eagerStarts();
    }
    expect(eager).toBeGreaterThanOrEqual(12);
    expect(eager).toBeLessThanOrEqual(18);
  });

  it('bench workers leave out the SDK stack-trace promise hook (a fifth of the main thread)', async () => {
    const results = await runBenchmark(options('simple', { durationMs: 2_000, rampUpMs: 0 }));
    expect(results.results.workflowsCompleted).toBe(10);
    expect(workflowStackTracesInstalled()).toBe(false);
  });

  it('sends its requests plain, not gzipped (the SDK’s default gzips them): read on the wire', async () => {
    const proxy = await recordingProxy(server.address);
    const control = await recordingProxy(server.address);
    try {
      const opts = options('simple', { durationMs: 2_000, rampUpMs: 0 });
      const results = await runBenchmark({
        ...opts,
        connection: { ...opts.connection, address: proxy.address },
      });
      expect(results.results.workflowsCompleted).toBe(10);
      const flags = proxy.messageFlags();
      // The starts, the workers' polls and completions, the completion lists: all plain.
      expect(flags.length).toBeGreaterThan(30);
      expect(flags.filter((f) => f !== 0)).toEqual([]);
      // The recorder sees compression where there is some: the SDK's default connection.
      const native = await connectNative({ ...opts.connection, address: control.address });
      await native.workflowService.getSystemInfo({});
      await native.close();
      expect(control.messageFlags().length).toBeGreaterThan(0);
      expect(control.messageFlags().every((f) => f === 1)).toBe(true);
    } finally {
      await proxy.close();
      await control.close();
    }
  });

  it('a workflow no worker runs is a completion timeout, never a success (generator-only)', async () => {
    // With no worker the workflows never run: each times out at the completion deadline.
    const results = await runBenchmark(
      options('simple', {
        generatorOnly: true,
        durationMs: 2_000,
        rampUpMs: 0,
        completionTimeoutMs: 1_000,
      }),
    );
    expect(results.results.workflowsCompleted).toBe(0);
    expect(results.results.errors.completion_timeout).toBe(10);
    expect(results.passed).toBe(false);
    expect(results.failureReasons.join('\n')).toMatch(/did not complete \(completion_timeout 10\)/);
  });
});

describe('honest counts at high rates', () => {
  it.each([100, 150])(
    'at %i/s every workflow the server completed is counted completed, and only those',
    async (rate) => {
      const results = await runBenchmark(
        options('simple', {
          targetRate: rate,
          durationMs: 3_000,
          rampUpMs: 0,
          workers: 1,
          // Long enough for a loaded machine to drain every start: the count is the point here.
          completionTimeoutMs: 600_000,
          thresholds: { maxP99LatencyMs: 600_000, minThroughput: 0 },
        }),
      );
      const m = results.results;
      expect(m.workflowsIntended).toBe(3 * rate);
      expect(m.workflowsStarted).toBe(3 * rate);

      const { client, close: disconnect } = await connectClient(
        connectionConfig(server, results.config.namespace),
      );
      try {
        const query = (status: string): Promise<number> =>
          client.workflow
            .count(`WorkflowType = "simpleWorkflow" AND ExecutionStatus = "${status}"`)
            .then((c) => c.count);
        // Visibility trails the server's history: wait until it shows every started workflow
        // closed (the bench has already terminated any still running), one list per round.
        let closed = 0;
        for (let round = 0; round < 600 && closed < m.workflowsStarted; round++) {
          if (round > 0) await new Promise((r) => setTimeout(r, 100));
          closed = await client.workflow
            .count('WorkflowType = "simpleWorkflow" AND ExecutionStatus != "Running"')
            .then((c) => c.count);
        }
        expect(closed).toBe(m.workflowsStarted);
        expect(m.workflowsCompleted).toBe(await query('Completed'));
        expect(m.workflowsFailed + m.workflowsOutcomeUnknown).toBe(
          m.workflowsIntended - m.workflowsCompleted,
        );
        expect(m.workflowsOutcomeUnknown).toBe(0);
      } finally {
        await disconnect();
      }
    },
  );
});

describe('completion tracker: the lists’ overlap against a real dev server', () => {
  /**
   * A client on the test's server, and a workflow service for the tracker that hides the rows of
   * the workflows named in `hidden` from its lists (not from its lookups by id): a visibility record
   * that lags.
   */
  async function setUp(...hidden: string[]) {
    const { connection, client } = await connectClient(connectionConfig(server));
    const prefix = `tracker-${randomUUID()}-`;
    const queries: string[] = [];
    const service = {
      listWorkflowExecutions: async (
        request: temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest,
      ) => {
        queries.push(request.query ?? '');
        const page = await client.workflowService.listWorkflowExecutions(request);
        if (!(request.query ?? '').includes('WorkflowId IN')) {
          page.executions = page.executions.filter(
            (e) => !hidden.some((name) => e.execution?.workflowId === `${prefix}${name}`),
          );
        }
        return page;
      },
    } as unknown as WorkflowService;
    // Nobody polls this queue: each workflow stays open until the test terminates it.
    const start = (name: string) =>
      client.workflow.start('simpleWorkflow', {
        taskQueue: `${prefix}nobody`,
        workflowId: `${prefix}${name}`,
        args: [],
      });
    /** Terminates a workflow and returns its close time once the server's clock has passed it. */
    const close = async (handle: Awaited<ReturnType<typeof start>>): Promise<number> => {
      await handle.terminate();
      const closedAt = (await handle.describe()).closeTime!.getTime();
      // So that the next close is later by whole milliseconds (close times are in ms).
      while (Date.now() <= closedAt + 2) await new Promise((r) => setTimeout(r, 1));
      return closedAt;
    };
    /** A tracker of this prefix's workflows on the hiding service, listing every 20 ms. */
    const track = (extra: Partial<CompletionTrackerOptions>) =>
      new CompletionTracker({
        service,
        namespace: server.namespace,
        idPrefix: prefix,
        intervalMs: 20,
        lookupAfterMs: 600_000,
        ...extra,
      });
    return { connection, queries, start, close, track };
  }

  it('a workflow the lists miss is found by a lookup and doubles the overlap (a lagging record simulated by hiding its row)', async () => {
    const t = await setUp('late');
    try {
      const widened: number[] = [];
      const tracker = t.track({
        overlapMs: 1,
        onOverlapWidened: (_, lateMs) => widened.push(lateMs),
      });

      const [late, onTime] = [await t.start('late'), await t.start('on-time')];
      const lateClosed = tracker.wait(late.workflowId);
      const onTimeClosed = tracker.wait(onTime.workflowId);
      const lateAt = await t.close(late);
      const onTimeAt = await t.close(onTime);
      // The lists show the later close; the earlier one stays hidden from them.
      expect(await onTimeClosed).toEqual({ status: 'terminated', closeTimeMs: onTimeAt });
      expect(tracker.overlapMs).toBe(1);
      await tracker.finalCheck();
      tracker.stop();
      expect(await lateClosed).toEqual({ status: 'terminated', closeTimeMs: lateAt });
      expect(widened).toEqual([onTimeAt - lateAt]);
      expect(tracker.overlapMs).toBe(2);
    } finally {
      await t.connection.close();
    }
  });

  it('a workflow waited for only after the lists passed its close does not widen it', async () => {
    const t = await setUp();
    try {
      const tracker = t.track({
        overlapMs: 1,
      });
      const [early, later] = [await t.start('early'), await t.start('later')];
      const earlyAt = await t.close(early);
      const laterAt = await t.close(later);
      expect(await tracker.wait(later.workflowId)).toEqual({
        status: 'terminated',
        closeTimeMs: laterAt,
      });
      // Accepted after the lists had shown a later close: only a lookup can find it.
      const earlyClosed = tracker.wait(early.workflowId);
      await tracker.finalCheck();
      tracker.stop();
      expect(await earlyClosed).toEqual({ status: 'terminated', closeTimeMs: earlyAt });
      expect(tracker.overlapMs).toBe(1);
    } finally {
      await t.connection.close();
    }
  });

  it('lists without a lower bound until a first close, so a local clock a minute ahead of the server’s changes nothing', async () => {
    const t = await setUp();
    try {
      const tracker = t.track({
        now: () => Date.now() + 60_000,
      });
      const handles = [await t.start('0'), await t.start('1'), await t.start('2')];
      const closed = handles.map((h) => tracker.wait(h.workflowId));
      // One at a time, each seen by a list before the next closes.
      const closedAt: number[] = [];
      for (const [i, h] of handles.entries()) {
        closedAt.push(await t.close(h));
        expect(await closed[i]).toEqual({ status: 'terminated', closeTimeMs: closedAt[i] });
      }
      tracker.stop();
      // All from the lists (no lookup by id), the first of them unbounded, the later ones from
      // the server's close times less the overlap, which in-order closes left as it was.
      expect(t.queries.some((q) => q.includes('WorkflowId IN'))).toBe(false);
      expect(t.queries[0]).not.toContain('CloseTime');
      expect(t.queries.at(-1)).toContain(
        `CloseTime >= "${new Date(closedAt[1]! - 500).toISOString()}"`,
      );
      expect(tracker.overlapMs).toBe(500);
    } finally {
      await t.connection.close();
    }
  });
});

describe('the bench’s starts against a real dev server', () => {
  it('a start whose answer was lost is sent again with the same request id and is one start (the lost answer simulated)', async () => {
    const { client, close: disconnect } = await connectClient(connectionConfig(server));
    try {
      const prefix = `driver-${randomUUID()}-`;
      const requests: temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest[] = [];
      const service = {
        startWorkflowExecution: async (
          request: temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest,
        ) => {
          requests.push(request);
          const answer = await client.workflowService.startWorkflowExecution(request);
          // The server accepted the first one; its answer does not reach the bench.
          if (requests.length === 1) throw Object.assign(new Error('lost'), { code: 14 });
          return answer;
        },
      } as unknown as WorkflowService;
      const tracker = new CompletionTracker({
        service: client.workflowService,
        namespace: server.namespace,
        idPrefix: prefix,
      });
      const retries: unknown[] = [];
      const driver = temporalDriver(
        { options: client.options, workflowService: service },
        tracker,
        {
          name: 'multiActivityWorkflow',
          args: [3],
          // Nobody polls it: the workflow stays open for the test to read and terminate.
          taskQueue: `${prefix}nobody`,
          idPrefix: prefix,
          onStartRetry: (err) => retries.push(err),
        },
      );
      await driver.start(0);
      tracker.stop();
      expect(retries).toHaveLength(1);
      expect(requests).toHaveLength(2);
      expect(requests[1]!.requestId).toBe(requests[0]!.requestId);

      // One workflow on the server, started as the client would have started it.
      const runs = await client.workflow.count(`WorkflowId = "${prefix}0"`);
      expect(runs.count).toBe(1);
      const handle = client.workflow.getHandle(`${prefix}0`);
      const started = (await handle.fetchHistory()).events![0]!
        .workflowExecutionStartedEventAttributes!;
      expect(started.workflowType?.name).toBe('multiActivityWorkflow');
      expect(started.taskQueue?.name).toBe(`${prefix}nobody`);
      expect(started.identity).toBe(client.options.identity);
      expect(
        started.input?.payloads?.map((p) =>
          client.options.loadedDataConverter.payloadConverter.fromPayload(p),
        ),
      ).toEqual([3]);

      // Starting that id again is not a retry: the server's refusal is a start error.
      const again = temporalDriver(client, tracker, {
        name: 'simpleWorkflow',
        args: [],
        taskQueue: `${prefix}nobody`,
        idPrefix: prefix,
      });
      const refused = await again.start(0).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeDefined();
      expect(again.classify(refused, 'start')).toBe('start_error');
      await handle.terminate();
    } finally {
      await disconnect();
    }
  });
});

describe('the bench’s cleanup against a real dev server', () => {
  /** A pino logger whose entries at warn and above the test can read. */
  function warnings() {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const warned = () =>
      lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .filter((e) => e.level >= 40);
    return { logger, warned };
  }

  it('a workflow that closed after the list is counted apart, not warned about', async () => {
    const { connection, client } = await connectClient(connectionConfig(server));
    try {
      const prefix = `cleanup-${randomUUID()}-`;
      // Nobody polls this queue: both stay open until terminated.
      const start = (name: string) =>
        client.workflow.start('simpleWorkflow', {
          taskQueue: `${prefix}nobody`,
          workflowId: `${prefix}${name}`,
          args: [],
        });
      const [open, closed] = await Promise.all([start('open'), start('closed')]);
      await closed.terminate();
      const { logger, warned } = warnings();
      const counts = await terminateEach(client, [open.workflowId, closed.workflowId], logger);
      expect(counts).toEqual({ terminated: 1, closedMeanwhile: 1, failed: 0 });
      expect(warned()).toEqual([]);
      expect((await open.describe()).status.name).toBe('TERMINATED');
    } finally {
      await connection.close();
    }
  });

  it('finds what still runs on the run’s task queue, terminates it and says so', async () => {
    const { connection, client } = await connectClient(connectionConfig(server));
    try {
      const queue = `cleanup ${randomUUID()}`;
      const handle = await client.workflow.start('simpleWorkflow', {
        taskQueue: queue,
        workflowId: `cleanup-${randomUUID()}`,
        args: [],
      });
      const { logger, warned } = warnings();
      const progress: string[] = [];
      // Visibility can lag the start by a moment: cleanup runs once the list shows the workflow.
      await eventually('the workflow in the list', async () => {
        const { count } = await client.workflow.count(taskQueueIs(queue));
        return count === 1 ? count : undefined;
      });
      await cleanupNamespace(client, queue, (m) => progress.push(m), logger);
      expect(warned()).toEqual([]);
      expect(progress).toEqual([`cleanup in default: terminated 1 workflow(s) still running`]);
      expect((await handle.describe()).status.name).toBe('TERMINATED');
    } finally {
      await connection.close();
    }
  });
});
