/**
 * Finds the highest rate the local stack sustains for `simple` and `multi-activity`: the achieved
 * start rate is at least 99% of the target, the end-to-end p99 is under the threshold, and every
 * workflow completes. The workers run in a separate `headway bench run --worker-only` process, so
 * the CPU time measured here is the generator's own (per 1,000 starts).
 *
 *   npm run bench:max -- [--types simple,multi-activity] [--duration 20s] [--max-p99 2s]
 *                        [--start-rate 20] [--workers 4]
 * Environment: the same HEADWAY_* / TEMPORAL_* settings as `headway bench run`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { freshNamespace, runBenchmark } from '../src/bench/run-benchmark.js';
import type { BenchWorkflowType } from '../src/bench/workflow-types.js';
import { loadConfig } from '../src/config/load.js';
import { resolveTemporalConnection } from '../src/config/temporal.js';
import { connectClient } from '../src/temporal/connection.js';
import { ensureNamespace } from '../src/temporal/namespaces.js';
import { parseDuration } from '../src/cli/duration.js';

const { values } = parseArgs({
  options: {
    types: { type: 'string', default: 'simple,multi-activity' },
    duration: { type: 'string', default: '20s' },
    'ramp-up': { type: 'string', default: '5s' },
    // Unset: 2s for simple; 6s for multi-activity, whose 7 rounds of 100–599 ms activities alone
    // take up to 4.2 s.
    'max-p99': { type: 'string' },
    'start-rate': { type: 'string', default: '20' },
    workers: { type: 'string', default: '4' },
    steps: { type: 'string', default: '8' },
  },
});
const durationMs = parseDuration(values.duration, '--duration');
const rampUpMs = parseDuration(values['ramp-up'], '--ramp-up');
const maxP99For = (type: BenchWorkflowType): number =>
  values['max-p99'] === undefined
    ? type === 'multi-activity'
      ? 6_000
      : 2_000
    : parseDuration(values['max-p99'], '--max-p99');
const logger = pino({ level: 'warn' }, pino.destination({ fd: 2, sync: true }));
const { config } = loadConfig({});
const base = resolveTemporalConnection(config.temporal, process.env);
const address =
  config.temporal.address ??
  process.env.TEMPORAL_ADDRESS ??
  `127.0.0.1:${config.stack.monitored.grpc_port}`;
const HEADWAY = fileURLToPath(new URL('../bin/headway.js', import.meta.url));

interface Trial {
  rate: number;
  ok: boolean;
  achieved: number;
  p99: number;
  failed: number;
  cpuMsPer1000: number | null;
}

async function trial(type: BenchWorkflowType, namespace: string, rate: number): Promise<Trial> {
  const maxP99Ms = maxP99For(type);
  const r = await runBenchmark({
    workflowType: type,
    targetRate: rate,
    durationMs,
    rampUpMs,
    workers: 0,
    iterations: 1,
    activityCount: 10,
    timerDurationMs: 1_000,
    childCount: 3,
    connection: { ...base, address, namespace },
    taskQueue: `bench-max-${type}`,
    thresholds: { maxP99LatencyMs: maxP99Ms, minThroughput: 0 },
    generatorOnly: true,
    completionTimeoutMs: 30_000,
    progress: () => undefined,
    logger,
  });
  const m = r.results;
  const ok =
    m.achievedStartRate >= 0.99 * rate && m.latency.p99 <= maxP99Ms && m.workflowsFailed === 0;
  const t = {
    rate,
    ok,
    achieved: m.achievedStartRate,
    p99: m.latency.p99,
    failed: m.workflowsFailed,
    cpuMsPer1000: m.generator.cpuMsPer1000Starts,
  };
  process.stderr.write(
    `  ${type} ${rate}/s: ${ok ? 'sustained' : 'NOT sustained'} (start ${t.achieved}/s, p99 ` +
      `${t.p99} ms, not completed ${t.failed}, generator CPU ${t.cpuMsPer1000} ms/1000 starts)\n`,
  );
  return t;
}

async function findMax(type: BenchWorkflowType): Promise<Trial | undefined> {
  const namespace = freshNamespace();
  const connected = await connectClient({ ...base, address, namespace });
  await ensureNamespace(connected.connection, connected.config.namespace, () => undefined, {
    description: 'headway bench run',
    readinessTaskQueue: 'headway-bench-readiness',
  });
  await connected.close();
  // Workers in their own process: the generator's CPU is then measured alone.
  const workers = spawn(
    process.execPath,
    [
      HEADWAY,
      'bench',
      'run',
      '--worker-only',
      '--namespace',
      namespace,
      '--address',
      address,
      '-q',
      `bench-max-${type}`,
      '--workers',
      values.workers,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    // Ready once it says it is polling (after bundling and creating every worker).
    await new Promise<void>((resolve, reject) => {
      let out = '';
      workers.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C to stop')) resolve();
      });
      workers.once('close', (code) => reject(new Error(`the worker process exited (${code})`)));
    });
    let best: Trial | undefined;
    let low = 0;
    let high = Number.POSITIVE_INFINITY;
    let rate = Number(values['start-rate']);
    for (let step = 0; step < Number(values.steps); step++) {
      const t = await trial(type, namespace, rate);
      if (t.ok) {
        best = t;
        low = rate;
      } else {
        high = rate;
      }
      const next = Number.isFinite(high) ? Math.round((low + high) / 2) : rate * 2;
      if (next === rate || next === low || high - low <= Math.max(2, low * 0.05)) break;
      rate = next;
    }
    return best;
  } finally {
    workers.kill('SIGINT');
    await new Promise((r) => workers.once('close', r));
  }
}

for (const type of values.types.split(',') as BenchWorkflowType[]) {
  process.stderr.write(`finding the highest sustained rate for ${type} on ${address}\n`);
  const best = await findMax(type);
  process.stdout.write(
    best === undefined
      ? `${type}: no rate sustained (start at a lower --start-rate)\n`
      : `${type}: ${best.rate}/s sustained (start ${best.achieved}/s, p99 ${best.p99} ms); ` +
          `generator CPU ${best.cpuMsPer1000} ms per 1,000 starts\n`,
  );
}
