/**
 * `npm run bench:up [-- --runs N]`: how long `headway up --detach` takes to be ready (first start on
 * an empty state dir, then restarts on existing data), how long `down` takes, and how much memory
 * each service holds once ready. Runs on free ports in a temporary state dir; prints a table and a
 * JSON line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freeStackPorts } from '../src/stack/ports.js';
import type { StackRecord } from '../src/stack/state.js';
import { scriptArgs } from './lib/script-args.js';

const BIN = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const { values } = scriptArgs(import.meta.url, {
  options: { runs: { type: 'string', default: '3' } },
});
const runs = Math.max(1, Number(values.runs));

const dir = mkdtempSync(join(tmpdir(), 'headway-bench-up-'));
const stack = await freeStackPorts();
const env: NodeJS.ProcessEnv = { ...process.env, HEADWAY_STATE_DIR: dir, ...stack.env };

function headway(args: string[]): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`headway ${args.join(' ')} failed:\n${result.stderr}`);
  }
  return { seconds, stdout: result.stdout };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const upTimes: number[] = [];
const downTimes: number[] = [];
const memory: Record<string, number[]> = {};
try {
  for (let i = 0; i < runs; i += 1) {
    const up = headway(['up', '--detach', '--json']);
    upTimes.push(up.seconds);
    const record = JSON.parse(up.stdout) as StackRecord;
    for (const s of record.services) (memory[s.name] ??= []).push(rssMiB(s.pid));
    downTimes.push(headway(['down']).seconds);
    process.stderr.write(`run ${i + 1}/${runs}: up ${up.seconds.toFixed(2)}s\n`);
  }
} finally {
  spawnSync(process.execPath, [BIN, 'down', '--volumes'], { env });
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (xs: number[]): string => {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `min ${sorted[0]?.toFixed(2)}  median ${median.toFixed(2)}  max ${sorted.at(-1)?.toFixed(2)}`;
};
console.log(`headway up --detach → ready, ${runs} runs (run 1 on an empty state dir)`);
console.log(`  first start      ${upTimes[0]?.toFixed(2)} s`);
if (runs > 1) console.log(`  restarts         ${fmt(upTimes.slice(1))} s`);
console.log(`  down             ${fmt(downTimes)} s`);
for (const [name, values] of Object.entries(memory)) {
  console.log(`  RSS ${name.padEnd(20)} ${fmt(values)} MiB (once ready)`);
}
console.log(
  JSON.stringify({
    runs,
    up_first_s: upTimes[0],
    up_s: upTimes,
    down_s: downTimes,
    rss_mib: memory,
    cpus: (await import('node:os')).cpus().length,
  }),
);
