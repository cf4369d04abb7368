/**
 * `npm run bench:cli [-- --runs 5] [-- --node /path/to/node]`: how long the CLI takes to start.
 * Runs `headway --version`, `headway --help` and, when a stack is running (the state dir and ports
 * come from the environment, as for `headway status`), `headway status --json`, each --runs times,
 * and prints the median wall time, CPU time (user + system, child processes included) and peak RSS.
 * --node picks the node that runs bin/headway.js (default: this one); a node older than 22 hands
 * over to the bundled Node 24, and that second start is in the figures.
 *
 * CPU and RSS come from GNU time (/usr/bin/time); without it only wall time is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './lib/script-args.js';

const BIN = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/.built', import.meta.url));
const TIME = '/usr/bin/time';

const { values } = scriptArgs(import.meta.url, {
  options: {
    runs: { type: 'string', default: '5' },
    node: { type: 'string', default: process.execPath },
  },
});
const runs = Math.max(1, Number(values.runs));
const node = values.node;
const haveTime = existsSync(TIME);

interface Sample {
  readonly wallS: number;
  readonly cpuS: number | null;
  readonly rssMiB: number | null;
}

function once(args: readonly string[]): Sample & { status: number | null } {
  const command = haveTime ? TIME : node;
  const argv = haveTime ? ['-f', '%U %S %M', node, BIN, ...args] : [BIN, ...args];
  const started = process.hrtime.bigint();
  const run = spawnSync(command, argv, { encoding: 'utf8' });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  // GNU time writes its line last on stderr.
  const last = run.stderr.trimEnd().split('\n').at(-1) ?? '';
  const [user, sys, maxKb] = haveTime ? last.split(' ').map(Number) : [];
  return {
    status: run.status,
    wallS,
    cpuS: user === undefined || sys === undefined ? null : user + sys,
    rssMiB: maxKb === undefined ? null : maxKb / 1024,
  };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function measure(args: readonly string[]): Record<string, number | null> | undefined {
  once(args); // warm the OS file cache and V8's compile cache, as any start after the first has them
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i += 1) {
    const s = once(args);
    if (s.status !== 0) return undefined;
    samples.push(s);
  }
  const of = (pick: (s: Sample) => number | null): number | null => {
    const xs = samples.map(pick).filter((x): x is number => x !== null);
    return xs.length === 0 ? null : median(xs);
  };
  return { wall_s: of((s) => s.wallS), cpu_s: of((s) => s.cpuS), rss_mib: of((s) => s.rssMiB) };
}

const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const results: Record<string, Record<string, number | null>> = {};
for (const args of [['--version'], ['--help'], ['status', '--json']]) {
  const figures = measure(args);
  if (figures === undefined) {
    process.stderr.write(`headway ${args.join(' ')}: skipped (it failed; is a stack running?)\n`);
    continue;
  }
  results[`headway ${args.join(' ')}`] = figures;
}

const fmt = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits);
process.stdout.write(
  `node ${nodeVersion}, ${existsSync(BUILT) ? 'dist/ built' : 'no dist/ (tsx)'}, median of ${runs}\n\n`,
);
process.stdout.write(
  `${'command'.padEnd(26)}${'wall s'.padStart(8)}${'CPU s'.padStart(8)}${'RSS MiB'.padStart(9)}\n`,
);
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(
    `${name.padEnd(26)}${fmt(r.wall_s, 3).padStart(8)}${fmt(r.cpu_s, 3).padStart(8)}${fmt(r.rss_mib, 0).padStart(9)}\n`,
  );
}
process.stdout.write(`${JSON.stringify({ node: nodeVersion, runs, results })}\n`);
