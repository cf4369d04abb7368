import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { JsonLogFileSource } from '../../src/signals/log-file-source.js';
import { LOG_PATTERNS } from '../../src/signals/log-patterns.js';
import type { LogPatternCount, LogPatternDef } from '../../src/signals/log-patterns.js';
import { findFreePorts } from '../../src/os/ports.js';
import { startDevServer } from '../helpers/dev-server.js';
import type { DevServer } from '../helpers/dev-server.js';
import { runHelloWorkflow } from '../helpers/hello-worker.js';

// @temporalio/proto is CommonJS without static named exports.
const { CommandType, TaskQueueKind } = proto.temporal.api.enums.v1;

/**
 * Not one of the 14: the history service's WARN for a payload over `limit.blobSize.warn` (512 KiB).
 * It is the one WARN line a client can make the dev server write at will, so it proves level,
 * service and window handling on a real WARN line.
 */
const BLOB_WARNING: LogPatternDef = {
  id: 'blob-size-warning',
  pattern: 'blob data size exceeds the warning limit',
  service: 'history',
  description: 'Payload over the warning size',
};
const PATTERNS = [...LOG_PATTERNS, BLOB_WARNING];
const COUNTED_LEVELS = new Set(['WARN', 'ERROR', 'FATAL', 'PANIC', 'DPANIC']);

/**
 * The two Nexus operations make the history service's outbound queue call endpoints that fail:
 * one where nothing listens (`... connect: connection refused`, retried with backoff) and one that
 * accepts the connection and never answers (`context deadline exceeded` once the 3 s
 * schedule-to-close runs out). Temporal logs each failed attempt at ERROR
 * ("Nexus StartOperation request failed"), so two of the 14 patterns come from real server lines.
 */
async function scheduleFailingNexusOperations(
  address: string,
  refusedUrl: string,
  silentUrl: string,
): Promise<{ terminate: () => Promise<void> }> {
  const connection = await Connection.connect({ address });
  const service = connection.workflowService;
  const suffix = Date.now().toString(36);
  const endpoints = [
    { name: `headway-refused-${suffix}`, url: refusedUrl, seconds: 20 },
    { name: `headway-silent-${suffix}`, url: silentUrl, seconds: 3 },
  ];
  for (const { name, url } of endpoints) {
    await connection.operatorService.createNexusEndpoint({
      spec: { name, target: { external: { url } } },
    });
  }
  const workflowId = `nexus-failures-${suffix}`;
  const taskQueue = {
    name: `nexus-failures-${suffix}`,
    kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
  };
  await service.startWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'nexusFailures' },
    taskQueue,
    requestId: workflowId,
    workflowRunTimeout: msToTs('2 minutes'),
  });
  // This test is the worker: it answers the first workflow task with the two commands directly,
  // so no workflow code has to be bundled for it. Long polls need a deadline.
  const task = await connection.withDeadline(Date.now() + 30_000, () =>
    service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue, identity: 'headway-it' }),
  );
  expect(task.taskToken?.length ?? 0).toBeGreaterThan(0);
  await service.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: task.taskToken,
    identity: 'headway-it',
    commands: endpoints.map(({ name, seconds }) => ({
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION,
      scheduleNexusOperationCommandAttributes: {
        endpoint: name,
        service: 'headway',
        operation: 'probe',
        scheduleToCloseTimeout: msToTs(seconds * 1000),
      },
    })),
  });
  return {
    terminate: async () => {
      try {
        await service.terminateWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId },
          reason: 'test done',
        });
      } finally {
        await connection.close();
      }
    },
  };
}

/** A TCP server that accepts connections and never answers them. */
async function startSilentServer(port: number): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sums collections per pattern and service, keeping the first sample. */
function merge(into: Map<string, LogPatternCount>, rows: readonly LogPatternCount[]): void {
  for (const row of rows) {
    const key = `${row.pattern}\u0000${row.service}`;
    const found = into.get(key);
    into.set(key, found === undefined ? row : { ...found, count: found.count + row.count });
  }
}

/** What the file holds, computed independently of the source: counted lines per pattern. */
function expectedFromFile(file: string, start: Date, end: Date): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    const time = Date.parse(String(record.time));
    if (time < start.getTime() || time >= end.getTime()) continue;
    if (!COUNTED_LEVELS.has(String(record.level))) continue;
    const message = `${String(record.msg)}${typeof record.error === 'string' ? ` ${record.error}` : ''}`;
    for (const p of PATTERNS) {
      if (message.toLowerCase().includes(p.pattern.toLowerCase())) {
        counts.set(p.pattern, (counts.get(p.pattern) ?? 0) + 1);
      }
    }
  }
  return counts;
}

describe('JsonLogFileSource on a real dev server log', () => {
  let server: DevServer;

  beforeAll(async () => {
    server = await startDevServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts the WARN and ERROR lines the server really writes, inside the window', async () => {
    // The watcher, as a log-watching loop would create it: history before now is not its business.
    const watcher = new JsonLogFileSource({
      file: server.logFile,
      startAt: 'end',
      patterns: PATTERNS,
    });
    const t0 = new Date();
    // A source that reads the whole file, to show that the window, not the read position, decides.
    const wholeFile = new JsonLogFileSource({ file: server.logFile, patterns: PATTERNS });

    // Ordinary traffic: completes without writing anything at WARN or above.
    expect(await runHelloWorkflow(server.address, `log-source-hello-1-${Date.now()}`)).toBe(
      'hello, headway',
    );
    expect(await runHelloWorkflow(server.address, `log-source-hello-2-${Date.now()}`)).toBe(
      'hello, headway',
    );

    // A real WARN from history: a workflow input over the 512 KiB warning limit.
    const connection = await Connection.connect({ address: server.address });
    try {
      await new Client({ connection }).workflow.start('nobodyRunsThis', {
        taskQueue: 'log-source-nobody',
        workflowId: `log-source-blob-${Date.now()}`,
        args: ['x'.repeat(600 * 1024)],
      });
    } finally {
      await connection.close();
    }

    // Real ERRORs: Nexus calls to a port nobody listens on and to a server that never answers.
    const [refusedPort, silentPort] = await findFreePorts(2);
    const silent = await startSilentServer(silentPort!);
    const nexus = await scheduleFailingNexusOperations(
      server.address,
      `http://127.0.0.1:${refusedPort}`,
      `http://127.0.0.1:${silentPort}`,
    );

    // Poll the way a watcher does, window after window, until every expected line has shown up.
    const seen = new Map<string, LogPatternCount>();
    let scanned = 0;
    let end = t0;
    const poll = async (): Promise<void> => {
      const start = end;
      end = new Date();
      const collection = await watcher.collect({ start, end });
      expect(collection.source).toBe('file');
      expect(collection.errors).toEqual([]);
      scanned += collection.lines_scanned;
      merge(seen, collection.patterns);
    };
    try {
      const deadline = Date.now() + 60_000;
      const has = (pattern: string): boolean =>
        [...seen.values()].some((r) => r.pattern === pattern && r.count > 0);
      while (!(
        has('connection refused') &&
        has('deadline exceeded') &&
        has(BLOB_WARNING.pattern)
      )) {
        expect(Date.now(), 'the expected lines never appeared in the log').toBeLessThan(deadline);
        await delay(500);
        await poll();
      }
    } finally {
      await nexus.terminate();
      await silent.close();
    }
    // Once the failing calls stop, the log goes quiet; one more window then holds everything, so
    // the comparison with the file below cannot race a line being written.
    await delay(2_000);
    await poll();

    const rows = [...seen.values()];
    expect(rows.find((r) => r.pattern === BLOB_WARNING.pattern)).toMatchObject({
      service: 'history',
      sample_message: 'Blob data size exceeds the warning limit.',
    });
    // Temporal's Nexus outbound errors carry neither `service` nor `component`.
    const refused = rows.find((r) => r.pattern === 'connection refused');
    expect(refused?.service).toBe('unknown');
    expect(refused?.sample_message).toMatch(
      new RegExp(
        `^Nexus StartOperation request failed Post "http://127\\.0\\.0\\.1:${refusedPort}/.*connect: connection refused$`,
      ),
    );
    const timedOut = rows.find((r) => r.pattern === 'deadline exceeded');
    expect(timedOut?.sample_message).toMatch(
      /^Nexus StartOperation request failed Post .*context deadline exceeded$/,
    );

    // The counts are exactly what the file holds for [t0, end), read independently.
    const expected = expectedFromFile(server.logFile, t0, end);
    const actual = new Map<string, number>();
    for (const row of rows) actual.set(row.pattern, (actual.get(row.pattern) ?? 0) + row.count);
    expect(actual).toEqual(expected);
    const lines = readFileSync(server.logFile, 'utf8').split('\n').length - 1;
    expect(scanned).toBeGreaterThanOrEqual(rows.reduce((sum, r) => sum + r.count, 0));
    expect(scanned).toBeLessThanOrEqual(lines);

    // The whole file, windowed before the test's traffic: every line scanned, nothing counted.
    const before = await wholeFile.collect({ start: new Date(t0.getTime() - 3_600_000), end: t0 });
    expect(before.errors).toEqual([]);
    expect(before.lines_scanned).toBeGreaterThanOrEqual(scanned);
    expect(before.patterns).toEqual([]);
    // The lines dated after that window were kept, so the next window counts them.
    const after = await wholeFile.collect({ start: t0, end });
    expect(after.lines_scanned).toBe(0);
    const afterCounts = new Map<string, number>();
    for (const row of after.patterns) {
      afterCounts.set(row.pattern, (afterCounts.get(row.pattern) ?? 0) + row.count);
    }
    expect(afterCounts).toEqual(expected);
  });
});
