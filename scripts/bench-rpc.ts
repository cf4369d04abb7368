/**
 * `npm run bench:rpc`: what one `StartWorkflowExecution` costs the process that sends it, by
 * transport, at the bench's pace: the floor under the generator's CPU per 1,000 starts. Each
 * transport runs in a process of its own against one dev server (with `headway up`'s flags),
 * sends `--starts` starts at `--rate` per second, one timer per start as the generator paces
 * them, and reports the process's CPU (every thread) from its first paced start to its last
 * answer, per start; the transports alternate for `--rounds` rounds.
 *
 *   npm run bench:rpc [-- --rate 50 --starts 1000 --rounds 2 --transports null,native,...]
 *
 * Transports:
 * - `null`: the pacing alone (a timer per start, nothing sent);
 * - `native`: the SDK's native connection, as the bench sends its starts (the Rust core's
 *   Tokio thread does the gRPC);
 * - `grpc-js`: the SDK's pure-JavaScript connection (`@grpc/grpc-js`);
 * - `grpc-js-raw`: a plain grpc-js client, without the SDK's wrapper or a protobuf encode per
 *   start (the request encoded once, its ids merged per start: protobuf merges concatenated
 *   messages);
 * - `http2`: the same bytes over Node's own HTTP/2 client, the least any JavaScript gRPC
 *   transport could do.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client as GrpcClient, Metadata, credentials } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, toPayloads } from '@temporalio/common';
import proto from '@temporalio/proto';

import { BENCH_CONNECTION } from '../src/bench/bench-connection.js';
import { connectNative } from '../src/temporal/connection.js';

import { startDevServer } from './lib/process-cost.js';
import { numberFlag, scriptArgs } from './lib/script-args.js';

const TRANSPORTS = ['null', 'native', 'grpc-js', 'grpc-js-raw', 'http2'] as const;
type Transport = (typeof TRANSPORTS)[number];

const { values } = scriptArgs(import.meta.url, {
  options: {
    rate: { type: 'string', default: '50' },
    starts: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    transports: { type: 'string', default: TRANSPORTS.join(',') },
    // Internal: the child process's part.
    child: { type: 'string' },
    address: { type: 'string' },
  },
});
const RATE = numberFlag(import.meta.url, '--rate', values.rate, { min: 1 });
const STARTS = numberFlag(import.meta.url, '--starts', values.starts, { min: 1, whole: true });
const ROUNDS = numberFlag(import.meta.url, '--rounds', values.rounds, { min: 1, whole: true });
const chosen = values.transports.split(',').map((t) => t.trim());
const unknown = chosen.filter((t) => !(TRANSPORTS as readonly string[]).includes(t));
if (unknown.length > 0) {
  console.error(`unknown transport ${unknown.join(', ')}: choose from ${TRANSPORTS.join(', ')}`);
  process.exit(2);
}

const NAMESPACE = 'default';
const METHOD = '/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution';
const Request = proto.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
/** Everything but the ids; no worker polls the queue, so the workflows stay open. */
const REQUEST = {
  namespace: NAMESPACE,
  identity: 'headway-bench-rpc',
  workflowType: { name: 'simple' },
  taskQueue: {
    kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
    name: 'headway-bench-rpc',
  },
  input: { payloads: toPayloads(defaultPayloadConverter, {}) ?? [] },
  header: { fields: {} },
};

interface Sender {
  readonly start: (workflowId: string) => Promise<unknown>;
  readonly close: () => Promise<void>;
}

/** The request's bytes with these ids: the constant part encoded once, the ids merged onto it. */
function requestBytes(head: Uint8Array, workflowId: string): Buffer {
  return Buffer.concat([head, Request.encode({ workflowId, requestId: randomUUID() }).finish()]);
}

async function sender(transport: Transport, address: string): Promise<Sender> {
  const head = Request.encode(REQUEST).finish();
  switch (transport) {
    case 'null':
      return { start: () => Promise.resolve(), close: () => Promise.resolve() };
    case 'native': {
      // The bench's own connection, as its generator opens it.
      const connection = await connectNative(
        {
          address,
          namespace: NAMESPACE,
          connectTimeoutMs: 10_000,
          apiKey: undefined,
          tls: undefined,
          metadata: undefined,
        },
        BENCH_CONNECTION,
      );
      const service = new Client({ connection, namespace: NAMESPACE }).workflowService;
      return {
        start: (workflowId) =>
          service.startWorkflowExecution({ ...REQUEST, workflowId, requestId: randomUUID() }),
        close: () => connection.close(),
      };
    }
    case 'grpc-js': {
      const connection = await Connection.connect({ address });
      const service = connection.workflowService;
      return {
        start: (workflowId) =>
          service.startWorkflowExecution({ ...REQUEST, workflowId, requestId: randomUUID() }),
        close: () => connection.close(),
      };
    }
    case 'grpc-js-raw': {
      const client = new GrpcClient(address, credentials.createInsecure());
      const metadata = new Metadata();
      const bytes = (b: Buffer): Buffer => b;
      return {
        start: (workflowId) =>
          new Promise((resolve, reject) =>
            client.makeUnaryRequest(
              METHOD,
              bytes,
              bytes,
              requestBytes(head, workflowId),
              metadata,
              {},
              (err, answer) => (err === null ? resolve(answer) : reject(err)),
            ),
          ),
        close: () => Promise.resolve(client.close()),
      };
    }
    case 'http2': {
      const session = http2Connect(`http://${address}`);
      return {
        start: (workflowId) =>
          new Promise((resolve, reject) => {
            const body = requestBytes(head, workflowId);
            // gRPC's framing: not compressed, then the message's length.
            const frame = Buffer.allocUnsafe(5 + body.length);
            frame[0] = 0;
            frame.writeUInt32BE(body.length, 1);
            body.copy(frame, 5);
            const call = session.request({
              ':method': 'POST',
              ':path': METHOD,
              'content-type': 'application/grpc',
              te: 'trailers',
            });
            // A trailers-only answer (an error) carries its status in the headers.
            let status: string | string[] | undefined;
            call.on('response', (headers) => (status ??= headers['grpc-status']));
            call.on('trailers', (trailers: Record<string, string | string[] | undefined>) => {
              status = trailers['grpc-status'];
            });
            call.on('data', () => undefined);
            call.on('end', () =>
              status === '0'
                ? resolve(undefined)
                : reject(new Error(`grpc-status ${String(status)}`)),
            );
            call.on('error', reject);
            call.end(frame);
          }),
        close: () => new Promise<void>((r) => session.close(r)),
      };
    }
  }
}

/**
 * The child's part (`--child=<transport> --address=H:P`): paced starts, then one line of JSON with
 * the CPU they cost and their workflow ids' prefix (`<prefix>warm`, `<prefix>0`…).
 */
async function measure(transport: Transport, address: string): Promise<void> {
  const send = await sender(transport, address);
  const prefix = `rpc-${transport}-${Date.now().toString(36)}-`;
  // A first start outside the measure: the connection's and the code's first use.
  await send.start(`${prefix}warm`);
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const answers: Promise<unknown>[] = [];
  for (let i = 0; i < STARTS; i++) {
    const wait = t0 + (i * 1_000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answers.push(send.start(`${prefix}${i}`));
  }
  await Promise.all(answers);
  const cpu = process.cpuUsage(cpuBefore);
  await send.close();
  process.stdout.write(
    `${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1_000, systemMs: cpu.system / 1_000, idPrefix: prefix })}\n`,
  );
}

async function runChild(transport: Transport, address: string): Promise<{ cpuMs: number }> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      `--child=${transport}`,
      `--address=${address}`,
      `--rate=${RATE}`,
      `--starts=${STARTS}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`the ${transport} run exited ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { cpuMs: number };
}

if (values.child !== undefined) {
  if (!(TRANSPORTS as readonly string[]).includes(values.child) || values.address === undefined) {
    console.error(`--child takes one of ${TRANSPORTS.join(', ')}, with --address`);
    process.exit(2);
  }
  await measure(values.child as Transport, values.address);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'headway-bench-rpc-'));
  const server = await startDevServer(dir);
  const perStart = new Map<string, number[]>(chosen.map((t) => [t, []]));
  try {
    console.log(
      `bench rpc: ${STARTS} StartWorkflowExecution at ${RATE}/s per transport, ` +
        `${ROUNDS} round(s), ${server.address}`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const transport of chosen) {
        const { cpuMs } = await runChild(transport as Transport, server.address);
        perStart.get(transport)!.push(cpuMs / STARTS);
        console.log(
          `round ${round} ${transport.padEnd(11)} ${(cpuMs / STARTS).toFixed(3)} ms CPU per start`,
        );
      }
    }
    console.log('CPU ms per start (process, every thread), by transport:');
    for (const [transport, runs] of perStart) {
      const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
      console.log(
        `  ${transport.padEnd(11)} ${runs.map((r) => r.toFixed(3)).join(', ')}  mean ${mean.toFixed(3)}`,
      );
    }
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
