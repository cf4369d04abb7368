/**
 * `headway bench run` as a user runs it: bin/headway.js starts the bench again with its heap cap
 * (a flag V8 reads only at start), mirrors its exit, and hands a Ctrl-C over.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BENCH_HEAP_ENV, BENCH_HEAP_MB } from '../../src/bench/node-flags.js';
import type { BenchResults } from '../../src/bench/results.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let server: DevServer;
const dir = makeTempDir('headway-bench-cli-');
const env: NodeJS.ProcessEnv = { ...process.env, HEADWAY_STATE_DIR: join(dir.path, 'state') };
delete env[BENCH_HEAP_ENV];
delete env.NODE_OPTIONS;

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
  dir.remove();
});

const MB = 2 ** 20;

function benchArgs(json: string, duration = '3s'): string[] {
  return [
    'bench',
    'run',
    '--address',
    server.address,
    '--rate',
    '5',
    '--duration',
    duration,
    '--ramp-up',
    '1s',
    '--json',
    json,
  ];
}

describe('headway bench run from the command line', () => {
  it('runs with the heap cap, and without it when HEADWAY_BENCH_HEAP_MB=0', async () => {
    const capped = join(dir.path, 'capped.json');
    const run = await runCli(benchArgs(capped), env);
    expect(run.stderr).not.toMatch(/error\[/);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(capped, 'utf8')) as BenchResults;
    expect(results.results.workflowsCompleted).toBe(results.results.workflowsIntended);
    // V8's limit is the old space plus the young generation: above the cap, far below V8's default.
    const limit = results.process!.heapLimitBytes! / MB;
    expect(limit).toBeGreaterThanOrEqual(BENCH_HEAP_MB);
    expect(limit).toBeLessThan(BENCH_HEAP_MB * 3);

    const uncapped = join(dir.path, 'uncapped.json');
    const free = await runCli(benchArgs(uncapped), { ...env, [BENCH_HEAP_ENV]: '0' });
    expect(free.code).toBe(0);
    const freeLimit =
      (JSON.parse(readFileSync(uncapped, 'utf8')) as BenchResults).process!.heapLimitBytes! / MB;
    expect(freeLimit).toBeGreaterThan(BENCH_HEAP_MB * 3);
  });

  it('a bad HEADWAY_BENCH_HEAP_MB is a one-line error with exit 2', async () => {
    const run = await runCli(benchArgs(join(dir.path, 'never.json')), {
      ...env,
      [BENCH_HEAP_ENV]: 'lots',
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(
      /^error\[BAD_ENV\]: HEADWAY_BENCH_HEAP_MB must be a whole number of MB/,
    );
  });

  it('a Ctrl-C in the terminal stops the bench gracefully: results kept, not a kill', async () => {
    const json = join(dir.path, 'stopped.json');
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const cli = startCli(benchArgs(json, '10m'), env, { detached: true });
    // Ready when the first iteration is under way (progress on stderr).
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (/iteration 1\/1/.test(cli.output().stderr)) resolve();
      };
      cli.child.stderr!.on('data', check);
      void cli.closed.then(() => reject(new Error(`exited early: ${cli.output().stderr}`)));
    });
    process.kill(-cli.child.pid!, 'SIGINT');
    const code = await cli.closed;
    expect(cli.output().stderr).toMatch(/stopping: no new starts/);
    // Killed by the signal there would be no exit code and no results.
    expect(code === 0 || code === 1).toBe(true);
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(results.results.workflowsStarted).toBeLessThan(results.results.workflowsIntended);
    expect(results.results.workflowsCompleted).toBe(results.results.workflowsStarted);
  });
});
