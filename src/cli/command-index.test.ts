import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Help } from 'commander';
import { describe, expect, it } from 'vitest';

import { nodeSettingsFor } from '../os/node-settings.js';
import { findFreePorts } from '../os/ports.js';

import { COMMANDS, commandNamed, misnamedCommand } from './command-index.js';
import { buildProgram } from './program.js';

const io = { out: (): void => undefined, err: (): void => undefined };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The bench's start-only settings (src/os/node-settings.js), given up front so `bench run` runs
 * in the process the test spawns instead of handing over to a child with them.
 */
const BENCH_START_ENV: Record<string, string> = (() => {
  const settings = nodeSettingsFor(['bench', 'run'], {});
  return { NODE_OPTIONS: settings.flags.join(' '), ...settings.env };
})();

/**
 * Runs bin/headway.js with `args` and returns the package names and Headway modules it loaded,
 * and every file it loaded from a package (`files`, paths under node_modules).
 */
function modulesLoadedBy(
  args: readonly string[],
  status = 0,
  env: Record<string, string> = {},
): { packages: string[]; own: string[]; files: string[] } {
  const run = spawnSync(
    process.execPath,
    ['--import', `${ROOT}test/helpers/record-loads.mjs`, `${ROOT}bin/headway.js`, ...args],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  expect(run.status, run.stderr.slice(0, 2_000)).toBe(status);
  const urls = run.stderr.split('--- loaded modules ---\n')[1]?.trim().split('\n') ?? [];
  const packages = new Set<string>();
  const own: string[] = [];
  for (const url of urls) {
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (inPackage?.[1] !== undefined) packages.add(inPackage[1]);
    // src/cli/program.ts or dist/cli/program.js, whichever bin/headway.js ran: cli/program.
    else if (/\/(src|dist)\//.test(url)) own.push(url.replace(/^.*\/(?:src|dist)\/|\.[jt]s$/g, ''));
  }
  // tsx and what it uses compile the sources when dist/ is missing or older than src/.
  const compiler = new Set([
    'tsx',
    'esbuild',
    '@esbuild/linux-x64',
    'get-tsconfig',
    'resolve-pkg-maps',
  ]);
  return {
    packages: [...packages].filter((p) => !compiler.has(p)).sort(),
    own: own.sort(),
    files: urls.flatMap((u) => /node_modules\/(.*)$/.exec(u)?.[1] ?? []),
  };
}

describe('the command index', () => {
  it('lists every command under its real name and term', async () => {
    const help = new Help();
    for (const entry of COMMANDS) {
      const command = await entry.load(io);
      expect(command.name()).toBe(entry.name);
      expect(help.subcommandTerm(command)).toBe(entry.term);
    }
  });

  it('leads a misnamed command to the real one: `headway deploy` to render, not to replay', () => {
    const run = spawnSync(process.execPath, [`${ROOT}bin/headway.js`, 'deploy', 'helm'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error: unknown command 'deploy'");
    expect(run.stderr).toContain('headway render compose|helm|ecs|render');
    expect(misnamedCommand(['node', 'headway', 'workflow', 'start'])).toBeUndefined();
    expect(misnamedCommand(['node', 'headway', '--json', 'stop'])?.hint).toContain('headway down');
    // Every entry leads somewhere real.
    for (const name of ['deploy', 'start', 'stop', 'health', 'check']) {
      const hint = misnamedCommand(['node', 'headway', name])!.hint;
      const named = [...hint.matchAll(/`headway (\w+)/g)].map((m) => m[1]);
      expect(named.length, name).toBeGreaterThan(0);
      for (const n of named)
        expect(
          COMMANDS.map((c) => c.name),
          name,
        ).toContain(n);
    }
  });

  it('finds the command named on the command line, after options and `help`', () => {
    expect(commandNamed(['node', 'headway', 'status', '--json'])?.name).toBe('status');
    expect(commandNamed(['node', 'headway', '--help'])).toBeUndefined();
    expect(commandNamed(['node', 'headway', 'help', 'logs'])?.name).toBe('logs');
    expect(commandNamed(['node', 'headway', 'nonsense'])).toBeUndefined();
  });

  it('loads only the named command; every other one is a stub with its summary', async () => {
    const program = await buildProgram(io, ['node', 'headway', 'kb', 'search', 'x']);
    const kb = program.commands.find((c) => c.name() === 'kb');
    expect(kb?.commands.map((c) => c.name())).toEqual(['search']);
    const up = program.commands.find((c) => c.name() === 'up');
    expect(up?.options).toEqual([]);
    expect(up?.summary()).toBe(COMMANDS.find((c) => c.name === 'up')?.summary);
  });

  it('`headway --help` and `--version` load no command module and no package but commander', () => {
    for (const args of [['--help'], ['--version']]) {
      const { packages, own } = modulesLoadedBy(args);
      expect(packages).toEqual(['commander']);
      expect(own).toEqual([
        // Plain JavaScript: whether dist/ is newer than every source.
        'bin/compiled-state',
        'bin/headway',
        'cli/command-index',
        'cli/env-help',
        'cli/output',
        'cli/program',
        'config/env-keys',
        'errors',
        'model/failures',
        // Plain JavaScript with no imports: which commands need start-only Node settings.
        'os/node-settings',
        'stack/daemon-command',
      ]);
    }
  });

  it('commands that only talk to the server, and a generator alone, do not load the SDK worker', async () => {
    // A port nobody listens on: each command fails at its first request, after loading its code.
    const [closed] = await findFreePorts(1);
    const address = `127.0.0.1:${closed}`;
    const common = ['--address', address, '--namespace', 'default', '--task-queue', 'q'];
    for (const [args, env] of [
      [['workflow', 'list', ...common.slice(0, 4)], {}],
      [['bench', 'run', '--generator-only', '--duration', '1s', ...common], BENCH_START_ENV],
    ] as const) {
      const { files } = modulesLoadedBy(args, 1, env);
      // They do load the SDK's connection module: the check below is not vacuous.
      expect(files, args.join(' ')).toContain('@temporalio/worker/lib/connection.js');
      expect(files, args.join(' ')).not.toContain('@temporalio/worker/lib/worker.js');
    }
  });

  it('the bench loads prom-client’s classes and the JS HdrHistogram without their indexes (push gateway, TLS; WebAssembly, pako), and yaml only when a config file is there', async () => {
    const [closed] = await findFreePorts(1);
    const args = ['bench', 'run', '--generator-only', '--duration', '1s'];
    args.push('--address', `127.0.0.1:${closed}`, '--namespace', 'default', '--task-queue', 'q');
    const env = BENCH_START_ENV;
    const dir = mkdtempSync(join(tmpdir(), 'headway-loads-'));
    try {
      const without = modulesLoadedBy(args, 1, { ...env, HEADWAY_CONFIG: '' });
      expect(without.files).toContain('prom-client/lib/histogram.js');
      expect(without.files).not.toContain('prom-client/index.js');
      expect(without.files).not.toContain('prom-client/lib/pushgateway.js');
      expect(without.files).toContain('hdr-histogram-js/dist/Float64Histogram.js');
      expect(without.files).not.toContain('hdr-histogram-js/dist/index.js');
      expect(without.packages).not.toContain('pako');
      expect(without.packages).not.toContain('yaml');

      const config = join(dir, 'headway.yml');
      writeFileSync(config, 'log_level: info\n');
      const withFile = modulesLoadedBy(args, 1, { ...env, HEADWAY_CONFIG: config });
      expect(withFile.packages).toContain('yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
