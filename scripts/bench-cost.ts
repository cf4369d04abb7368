/**
 * `npm run bench:cost`: what a `headway bench run` costs the machine it runs on. Runs the bench as
 * a child process under `/usr/bin/time` against its own Temporal dev server (the same flags as
 * `headway up`'s monitored server; or `--address` for a running one) and prints, per run: CPU
 * seconds per 1,000 accepted starts (whole process, and after start-up), peak RSS, the time and CPU
 * spent before the first start, and the server's CPU share over the run.
 *
 *   npm run bench:cost -- [--rate 50] [--duration 60s] [--ramp-up 10s] [--workers 4]
 *                         [--mode full|generator-only] [--type simple] [--runs 1] [--address H:P]
 *                         [--extra="--flag value ..."] [--headway OTHER/bin/headway.js]
 *
 * `--mode generator-only` runs the workers in a second process (`--worker-only`, not measured), so
 * the figures are the generator's own. `--extra` adds flags to `bench run`; a value that starts
 * with a dash needs the `=` form (`--extra="--eager-start"`). Exit 1 when a run did not pass its
 * thresholds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { BenchResults } from '../src/bench/results.js';
import { freshNamespace } from '../src/bench/run-benchmark.js';
import { compiledIsCurrentIn } from '../src/bin/compiled-state.js';
import { loadConfig } from '../src/config/load.js';
import { resolveTemporalConnection } from '../src/config/temporal.js';
import { connectClient } from '../src/temporal/connection.js';
import { ensureNamespace } from '../src/temporal/namespaces.js';

import {
  childOf,
  cpuSeconds,
  headwayCommand,
  readTimeFile,
  startDevServer,
} from './lib/process-cost.js';
import { scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60s' },
    'ramp-up': { type: 'string', default: '10s' },
    workers: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'full' },
    type: { type: 'string', default: 'simple' },
    runs: { type: 'string', default: '1' },
    address: { type: 'string' },
    extra: { type: 'string', default: '' },
    // Another checkout's bin/headway.js, to measure a baseline with the same script.
    headway: { type: 'string' },
  },
});
if (values.mode !== 'full' && values.mode !== 'generator-only') {
  console.error('--mode must be full or generator-only');
  process.exit(2);
}
const HEADWAY = values.headway ?? fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const HEADWAY_ROOT = new URL('../', pathToFileURL(HEADWAY));
if (!compiledIsCurrentIn(HEADWAY_ROOT)) {
  // Then bin/headway.js runs the sources through tsx: 0.3-0.5 s more CPU at each start.
  console.error(
    `warning: ${fileURLToPath(HEADWAY_ROOT)} has sources newer than its dist/: ` +
      'the bench will compile TypeScript at start and the figures will be too high; run `npm run build` there first',
  );
}
const connectionBase = resolveTemporalConnection(loadConfig({}).config.temporal, process.env);
const dir = mkdtempSync(join(tmpdir(), 'headway-bench-cost-'));

interface Cost {
  readonly results: BenchResults;
  readonly wallS: number;
  readonly cpuS: number;
  readonly maxRssMb: number;
  readonly startupWallS: number;
  readonly startupCpuS: number;
  readonly serverCpuShare: number | null;
}

function nodeArgs(args: string[]): string[] {
  return headwayCommand(HEADWAY, args).args;
}
const benchEnv = headwayCommand(HEADWAY, ['bench', 'run']).env;

function headway(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  return spawn(process.execPath, nodeArgs(args), {
    stdio: ['ignore', stdio, stdio],
    env: benchEnv,
  });
}

async function measure(address: string, serverPid: number | undefined, run: number): Promise<Cost> {
  const namespace = freshNamespace();
  const json = join(dir, `r${run}.json`);
  const timeFile = join(dir, `t${run}.txt`);
  const common = ['--address', address, '--namespace', namespace, '-q', `cost-${run}`];
  let workers: ChildProcess | undefined;
  if (values.mode === 'generator-only') {
    // The namespace must exist before the workers poll.
    const connected = await connectClient({ ...connectionBase, address, namespace });
    await ensureNamespace(connected.connection, namespace, () => undefined, {
      description: 'headway bench cost',
      readinessTaskQueue: 'headway-bench-readiness',
    });
    await connected.close();
    const w = headway(['bench', 'run', '--worker-only', ...common, '--workers', values.workers]);
    workers = w;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      w.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C to stop')) resolve();
      });
      w.stderr!.resume();
      w.once('close', (c) => reject(new Error(`the worker process exited (${c})`)));
    });
  }
  const args = [
    '-f',
    '%e %U %S %M',
    '-o',
    timeFile,
    process.execPath,
    ...nodeArgs([
      'bench',
      'run',
      ...common,
      '--workflow-type',
      values.type,
      '--rate',
      values.rate,
      '--duration',
      values.duration,
      '--ramp-up',
      values['ramp-up'],
      '--json',
      json,
      ...(values.mode === 'generator-only' ? ['--generator-only'] : ['--workers', values.workers]),
      ...values.extra.split(' ').filter((s) => s !== ''),
    ]),
  ];
  const t0 = performance.now();
  const serverCpu0 = serverPid === undefined ? undefined : cpuSeconds(serverPid);
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv });
  let startupWallS = Number.NaN;
  let startupCpuS = Number.NaN;
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    err += text;
    if (Number.isNaN(startupWallS) && /iteration 1\//.test(err)) {
      startupWallS = (performance.now() - t0) / 1_000;
      const pid = childOf(child.pid!);
      startupCpuS = pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
    }
  });
  child.stdout.resume();
  const code = await new Promise<number | null>((r) => child.once('close', r));
  const wallS = (performance.now() - t0) / 1_000;
  const serverCpu1 = serverPid === undefined ? undefined : cpuSeconds(serverPid);
  if (workers !== undefined) {
    workers.kill('SIGINT');
    await new Promise((r) => workers.once('close', r));
  }
  if (code !== 0 && code !== 1) throw new Error(`bench run exited ${code}:\n${err.slice(-2_000)}`);
  const time = readTimeFile(timeFile);
  return {
    results: JSON.parse(readFileSync(json, 'utf8')) as BenchResults,
    wallS,
    cpuS: time.cpuS,
    maxRssMb: time.maxRssMb,
    startupWallS,
    startupCpuS,
    serverCpuShare:
      serverCpu0 === undefined || serverCpu1 === undefined
        ? null
        : (serverCpu1 - serverCpu0) / wallS,
  };
}

const own = values.address === undefined ? await startDevServer(dir) : undefined;
const address = values.address ?? own!.address;
let failed = false;
try {
  console.log(
    `bench cost: ${values.type} at ${values.rate}/s for ${values.duration} (ramp-up ` +
      `${values['ramp-up']}), ${values.mode}, ${values.workers} worker(s), ${address}`,
  );
  for (let run = 1; run <= Number(values.runs); run++) {
    const c = await measure(address, own?.pid, run);
    const m = c.results.results;
    const per1000 = (s: number): string => ((s / m.workflowsStarted) * 1_000).toFixed(2);
    failed ||= !c.results.passed;
    console.log(
      [
        `run ${run}: ${m.workflowsStarted} started, ${m.workflowsCompleted} completed, ` +
          `${m.workflowsFailed} not completed; start ${m.achievedStartRate}/s, completion ` +
          `${m.completionRate}/s, p99 ${m.latency.p99} ms; ${c.results.passed ? 'passed' : 'FAILED'}`,
        `  CPU ${c.cpuS.toFixed(1)} s = ${per1000(c.cpuS)} s per 1,000 starts ` +
          `(${per1000(c.cpuS - c.startupCpuS)} s after start-up)`,
        `  peak RSS ${c.maxRssMb.toFixed(0)} MB; start-up ${c.startupWallS.toFixed(2)} s wall, ` +
          `${c.startupCpuS.toFixed(2)} s CPU before the first start; wall ${c.wallS.toFixed(1)} s; ` +
          `${c.results.process?.heapTrims ?? 0} heap trim(s)`,
        c.serverCpuShare === null
          ? '  server CPU: not measured (--address)'
          : `  server CPU ${(c.serverCpuShare * 100).toFixed(0)}% of one core over the run`,
      ].join('\n'),
    );
  }
} finally {
  own?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
