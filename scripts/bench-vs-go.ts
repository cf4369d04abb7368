/**
 * `npm run bench:vs-go`: `headway bench run` beside the reference Go benchmark runner, measured the
 * same way, alternating, each run against a fresh dev server of its own (`headway up`'s flags):
 * CPU seconds per 1,000 starts and peak RSS of the runner's process (`/usr/bin/time`), the
 * server's CPU share, what each runner reported, and what the server itself counted afterwards.
 *
 *   npm run bench:vs-go -- --go-runner PATH [--rate 50] [--duration 60s] [--ramp-up 10s]
 *                          [--workers 4] [--runs 2] [--json FILE]
 *
 * The Go runner is not part of Headway: build it from its repository's `benchmark/` module
 * (`go build -o PATH ./cmd/benchmark`; docs/bench.md, "Beside the Go runner"). It takes its
 * settings from BENCHMARK_* variables and prints its results after a `JSON Results:` line.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

import type { BenchResults } from '../src/bench/results.js';
import { loadConfig } from '../src/config/load.js';
import { resolveTemporalConnection } from '../src/config/temporal.js';
import { connectClient } from '../src/temporal/connection.js';

import { cpuSeconds, headwayCommand, readTimeFile, startDevServer } from './lib/process-cost.js';
import { scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    'go-runner': { type: 'string' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60s' },
    'ramp-up': { type: 'string', default: '10s' },
    workers: { type: 'string', default: '4' },
    runs: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const goRunner = values['go-runner'];
if (goRunner === undefined || !existsSync(goRunner)) {
  console.error(
    '--go-runner PATH: the built Go benchmark runner (docs/bench.md, "Beside the Go runner")',
  );
  process.exit(2);
}
const HEADWAY = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const connectionBase = resolveTemporalConnection(loadConfig({}).config.temporal, process.env);

type Runner = 'headway' | 'go';

interface RunFigures {
  readonly runner: Runner;
  readonly run: number;
  readonly cpuS: number;
  readonly maxRssMb: number;
  readonly wallS: number;
  readonly serverCpuShare: number | null;
  /** What the runner reported. */
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  readonly p99Ms: number;
  readonly throughput: number;
  /** What the server counted in the run's namespace once the runner exited. */
  readonly server: { readonly completed: number; readonly running: number; readonly all: number };
}

/** The part of the Go runner's `JSON Results:` the comparison reads. */
const GoResults = z.object({
  results: z.object({
    workflowsStarted: z.number(),
    workflowsCompleted: z.number(),
    workflowsFailed: z.number(),
    actualRate: z.number(),
    latency: z.object({ p99: z.number() }),
  }),
});

async function serverCounts(address: string, namespace: string): Promise<RunFigures['server']> {
  const c = await connectClient({ ...connectionBase, address, namespace });
  try {
    const count = async (query?: string): Promise<number> =>
      (await c.client.workflow.count(query)).count;
    return {
      completed: await count('ExecutionStatus = "Completed"'),
      running: await count('ExecutionStatus = "Running"'),
      all: await count(),
    };
  } finally {
    await c.close();
  }
}

async function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeFile: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  return { stdout, stderr, code };
}

async function measure(runner: Runner, run: number): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), `headway-vs-go-${runner}-`));
  const server = await startDevServer(dir);
  try {
    const timeFile = join(dir, 'time.txt');
    const cpu0 = cpuSeconds(server.pid);
    // The Go runner insists on its own prefix; Headway takes any name.
    const namespace = `benchmark-${runner}-${Date.now().toString(36)}`;
    let reported: Pick<RunFigures, 'started' | 'completed' | 'failed' | 'p99Ms' | 'throughput'>;
    let out;
    if (runner === 'headway') {
      const json = join(dir, 'results.json');
      const args = [
        'bench',
        'run',
        '--address',
        server.address,
        '--namespace',
        namespace,
        '--workflow-type',
        'simple',
        '--rate',
        values.rate,
        '--duration',
        values.duration,
        '--ramp-up',
        values['ramp-up'],
        '--workers',
        values.workers,
        '--json',
        json,
      ];
      const command = headwayCommand(HEADWAY, args);
      out = await timed(process.execPath, command.args, command.env, timeFile);
      if (out.code !== 0 && out.code !== 1)
        throw new Error(`headway exited ${out.code}: ${out.stderr.slice(-2_000)}`);
      const r = (JSON.parse(readFileSync(json, 'utf8')) as BenchResults).results;
      reported = {
        started: r.workflowsStarted,
        completed: r.workflowsCompleted,
        failed: r.workflowsFailed,
        p99Ms: r.latency.p99,
        throughput: r.completionRate,
      };
    } else {
      out = await timed(
        goRunner!,
        [],
        {
          ...process.env,
          TEMPORAL_ADDRESS: server.address,
          BENCHMARK_NAMESPACE: namespace,
          BENCHMARK_WORKFLOW_TYPE: 'simple',
          BENCHMARK_TARGET_RATE: values.rate,
          BENCHMARK_DURATION: values.duration,
          BENCHMARK_RAMP_UP: values['ramp-up'],
          BENCHMARK_WORKER_COUNT: values.workers,
          BENCHMARK_ITERATIONS: '1',
        },
        timeFile,
      );
      // Indented JSON after the marker, ending at the first unindented `}`; log lines follow it.
      const block = /JSON Results:\n(\{\n[\s\S]*?\n\})\n/.exec(out.stdout)?.[1];
      if (block === undefined) {
        throw new Error(
          `the Go runner printed no results (exit ${out.code}): ${out.stdout.slice(-2_000)}`,
        );
      }
      const r = GoResults.parse(JSON.parse(block)).results;
      reported = {
        started: r.workflowsStarted,
        completed: r.workflowsCompleted,
        failed: r.workflowsFailed,
        p99Ms: r.latency.p99,
        throughput: r.actualRate,
      };
    }
    const cpu1 = cpuSeconds(server.pid);
    const time = readTimeFile(timeFile);
    return {
      runner,
      run,
      ...time,
      serverCpuShare: cpu0 === undefined || cpu1 === undefined ? null : (cpu1 - cpu0) / time.wallS,
      ...reported,
      server: await serverCounts(server.address, namespace),
    };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `headway vs Go runner: simple at ${values.rate}/s for ${values.duration} (ramp-up ` +
    `${values['ramp-up']}), ${values.workers} workers, ${values.runs} run(s) each, alternating`,
);
const all: RunFigures[] = [];
for (let run = 1; run <= Number(values.runs); run++) {
  const order: Runner[] = run % 2 === 1 ? ['headway', 'go'] : ['go', 'headway'];
  for (const runner of order) {
    const f = await measure(runner, run);
    all.push(f);
    console.log(
      [
        `${runner.padEnd(7)} run ${run}: CPU ${f.cpuS.toFixed(1)} s = ` +
          `${((f.cpuS / f.started) * 1_000).toFixed(2)} s per 1,000 starts, peak RSS ` +
          `${f.maxRssMb.toFixed(0)} MB, wall ${f.wallS.toFixed(0)} s, server CPU ` +
          `${f.serverCpuShare === null ? '?' : `${(f.serverCpuShare * 100).toFixed(0)}%`}`,
        `         reported ${f.started} started, ${f.completed} completed, ${f.failed} failed, ` +
          `${f.throughput.toFixed(1)}/s, p99 ${f.p99Ms.toFixed(0)} ms; the server counted ` +
          `${f.server.all} workflows, ${f.server.completed} completed, ${f.server.running} running`,
      ].join('\n'),
    );
  }
}
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(all, null, 2)}\n`);
