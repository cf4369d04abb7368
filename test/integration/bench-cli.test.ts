/**
 * `headway bench run` as a user runs it: bin/headway.js starts the bench again with its memory
 * settings (which V8 and glibc read only at start), mirrors its exit, and hands a Ctrl-C over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BENCH_MALLOC_ARENAS,
  BENCH_TOKIO_WORKER_THREADS,
  BENCH_SEMI_SPACE_MB,
} from '../../src/os/node-settings.js';
import type { BenchResults } from '../../src/bench/results.js';
import { compiledIsCurrentIn } from '../../src/bin/compiled-state.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let server: DevServer;
const dir = makeTempDir('headway-bench-cli-');
const env: NodeJS.ProcessEnv = { ...process.env, HEADWAY_STATE_DIR: join(dir.path, 'state') };
delete env.NODE_OPTIONS;
delete env.MALLOC_ARENA_MAX;

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
  dir.remove();
});

function benchArgs(
  json: string,
  duration = '3s',
  rampUp: string[] = ['--ramp-up', '1s'],
): string[] {
  return [
    'bench',
    'run',
    '--address',
    server.address,
    '--rate',
    '5',
    '--duration',
    duration,
    ...rampUp,
    '--json',
    json,
  ];
}

describe('headway bench run from the command line', () => {
  it('answers bad settings and an unreadable results file with the error and its fix, exit 2', async () => {
    const bad = await runCli(['bench', 'run', '--address', server.address, '--workers', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[USAGE]: invalid bench settings');
    expect(bad.stderr).toContain('--workers must be at least 1');
    expect(bad.stderr).toContain('fix: change the flags listed above');
    expect(bad.stdout).toBe('');
    const badMax = await runCli(
      ['bench', 'find-max', '--address', server.address, '--workers', '0'],
      env,
    );
    expect(badMax.code).toBe(2);
    expect(badMax.stderr).toContain('fix: change the flags listed above');

    const missing = join(dir.path, 'no-such-results.json');
    const compare = await runCli(['bench', 'compare', missing, missing], env);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toContain(`error[USAGE]: cannot read bench results ${missing}`);
    expect(compare.stderr).toContain('fix: give a file that `headway bench run --json FILE` wrote');
  });

  it('runs the bench with a small young generation (V8 reads it only at start)', async () => {
    const json = join(dir.path, 'run.json');
    const cacheDir = join(dir.path, 'cache');
    // No --ramp-up: a run shorter than the 30 s default ramps for a quarter of it.
    const run = await runCli(benchArgs(json, '4s', []), { ...env, HEADWAY_CACHE_DIR: cacheDir });
    expect(run.stderr).not.toMatch(/error\[/);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(results.config.rampUpMs).toBe(1_000);
    expect(results.results.workflowsCompleted).toBe(results.results.workflowsIntended);
    expect(results.process!.nodeFlags).toContain(`--max-semi-space-size=${BENCH_SEMI_SPACE_MB}`);
    expect(results.process!.mallocArenaMax).toBe(BENCH_MALLOC_ARENAS);
    expect(results.process!.tokioWorkerThreads).toBe(Number(BENCH_TOKIO_WORKER_THREADS));
    // From dist/ (as after `npm ci`) the bundle built at install serves even a first run; from
    // the sources (an edited checkout), the bundle is built once and kept in the cache.
    const cached = existsSync(join(cacheDir, 'workflow-bundles'));
    expect(cached).toBe(!compiledIsCurrentIn(new URL('../../', import.meta.url)));
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
