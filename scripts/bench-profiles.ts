/**
 * The cluster profile against the dev profile, side by side on one machine: for a running stack
 * (`headway up [--profile cluster] --detach`), runs `headway bench run --workflow-type simple` at
 * each rate in turn and reports, per rate, whether it was sustained (achieved start rate ≥ 99% of
 * the target, p99 ≤ the threshold, every started workflow completed) and the CPU each of the
 * stack's services used during the run (cores: CPU seconds per second; a PostgreSQL figure
 * includes its backends). Backends that exit during the run take their ticks with them, so the
 * PostgreSQL figure is a lower bound.
 *
 *   npm run bench:profiles -- [--rates 20,40,60,80] [--duration 40s] [--max-p99 5s] [--json FILE]
 * Environment: HEADWAY_STATE_DIR (and the stack's port variables) of the stack to measure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseDuration } from '../src/cli/duration.js';
import { loadConfig } from '../src/config/load.js';
import { readStackRecord } from '../src/stack/state.js';
import { scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    rates: { type: 'string', default: '20,40,60,80' },
    duration: { type: 'string', default: '40s' },
    'ramp-up': { type: 'string', default: '10s' },
    'max-p99': { type: 'string', default: '5s' },
    json: { type: 'string' },
  },
});
const HEADWAY = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const TICKS = 100; // USER_HZ on Linux
const maxP99Ms = parseDuration(values['max-p99'], '--max-p99');
const { config } = loadConfig({});
const record = readStackRecord(config.state_dir);
if (record === undefined) throw new Error(`no stack running in ${config.state_dir}`);
const address = `127.0.0.1:${String(config.stack.monitored.grpc_port)}`;

/**
 * CPU ticks of a service and its direct children (PostgreSQL's backends are children of the
 * postmaster, each in a session of its own, so neither the group nor the session finds them).
 */
function treeTicks(root: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[1] is ppid, [11] utime, [12] stime (stat(5), counted from the state field).
      if (Number(pid) === root || Number(fields[1]) === root) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // Exited while read.
    }
  }
  return ticks;
}

interface Step {
  rate: number;
  sustained: boolean;
  achieved: number;
  started: number;
  completed: number;
  p99_ms: number;
  generator_cpu_ms_per_1000: number;
  service_cores: Record<string, number>;
}

const steps: Step[] = [];
const dir = mkdtempSync(join(tmpdir(), 'headway-bench-profiles-'));
for (const rate of values.rates.split(',').map(Number)) {
  const out = join(dir, `rate-${String(rate)}.json`);
  const before = new Map(record.services.map((s) => [s.name, treeTicks(s.pid)]));
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      HEADWAY,
      'bench',
      'run',
      '--address',
      address,
      '--workflow-type',
      'simple',
      '--rate',
      String(rate),
      '--duration',
      values.duration,
      '--ramp-up',
      values['ramp-up'],
      '--json',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const seconds = (Date.now() - started) / 1000;
  const cores = Object.fromEntries(
    record.services.map((s) => [
      s.name,
      Math.round(((treeTicks(s.pid) - (before.get(s.name) ?? 0)) / TICKS / seconds) * 100) / 100,
    ]),
  );
  if (run.status !== 0 && run.status !== 1)
    throw new Error(`bench run exited ${String(run.status)}`);
  const r = (JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, unknown> })
    .results as {
    achievedStartRate: number;
    workflowsStarted: number;
    workflowsCompleted: number;
    latency: { p99: number };
    generator: { cpuMsPer1000Starts: number };
  };
  const step: Step = {
    rate,
    sustained:
      r.achievedStartRate >= 0.99 * rate &&
      r.latency.p99 <= maxP99Ms &&
      r.workflowsCompleted === r.workflowsStarted,
    achieved: r.achievedStartRate,
    started: r.workflowsStarted,
    completed: r.workflowsCompleted,
    p99_ms: Math.round(r.latency.p99),
    generator_cpu_ms_per_1000: Math.round(r.generator.cpuMsPer1000Starts),
    service_cores: cores,
  };
  steps.push(step);
  process.stderr.write(`${JSON.stringify(step)}\n`);
  if (!step.sustained) break;
}
const best = steps.filter((s) => s.sustained).at(-1)?.rate ?? null;
const summary = {
  profile: config.stack.profile,
  highest_sustained_rate: best,
  max_p99_ms: maxP99Ms,
  steps,
};
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(
  `${config.stack.profile} profile: highest sustained simple rate ${String(best)}/s\n` +
    steps
      .map(
        (s) =>
          `  ${String(s.rate)}/s ${s.sustained ? 'sustained' : 'NOT sustained'}: achieved ${s.achieved.toFixed(1)}/s, ` +
          `${String(s.completed)}/${String(s.started)} completed, p99 ${String(s.p99_ms)} ms; cores: ` +
          Object.entries(s.service_cores)
            .filter(([, c]) => c >= 0.01)
            .map(([n, c]) => `${n} ${c.toFixed(2)}`)
            .join(', '),
      )
      .join('\n') +
    '\n',
);
