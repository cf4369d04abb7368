/**
 * What the cost scripts (`bench:cost`, `bench:vs-go`) share: a throwaway dev server with
 * `headway up`'s flags, and a process's CPU read from `/proc`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { nodeSettingsFor } from '../../src/os/node-settings.js';
import { loadConfig } from '../../src/config/load.js';
import { findFreePorts } from '../../src/os/ports.js';
import { devServerArgs } from '../../src/stack/service-specs.js';
import { isTemporalServing } from '../../src/temporal/reachability.js';
import { TEMPORAL, findBinary, toolchainContext } from '../../src/toolchain/index.js';

const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a live process, seconds; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (the process `/usr/bin/time` forks). */
export function childOf(pid: number): number | undefined {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (children !== '') return Number(children.split(' ')[0]);
    }
  } catch {
    // gone
  }
  return undefined;
}

export interface DevServer {
  readonly address: string;
  readonly pid: number;
  readonly stop: () => void;
}

/** Attempts at starting the dev server: a free port can be taken before the server binds it. */
const START_ATTEMPTS = 3;

/** A dev server with the monitored server's flags, its database in `dir`; the caller stops it. */
export async function startDevServer(dir: string): Promise<DevServer> {
  const { config } = loadConfig({ env: process.env });
  const { found } = await findBinary(TEMPORAL, toolchainContext(TEMPORAL, config, process.env));
  if (found === undefined) throw new Error('no temporal binary: run `npx headway install`');
  let failure = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const [grpc, http, metrics] = await findFreePorts(3);
    // The monitored server's own flags (stack/service-specs.ts), on free ports, quiet, headless.
    const server = spawn(
      found.path,
      devServerArgs(
        {
          ...config.stack.monitored,
          grpc_port: grpc!,
          http_port: http!,
          metrics_port: metrics!,
          ui: false,
          log_level: 'error',
        },
        join(dir, 'temporal.db'),
      ),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // The last of what it says on stderr, for the error if it does not start.
    let stderr = '';
    server.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
    const address = `127.0.0.1:${grpc}`;
    for (let i = 0; i <= 120 && server.exitCode === null; i++) {
      if (await isTemporalServing(address, 1_000)) {
        return { address, pid: server.pid!, stop: () => server.kill('SIGTERM') };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (server.exitCode === null) server.kill('SIGTERM');
    // Its last words arrive before its stderr closes.
    if (!server.stderr.closed) await once(server.stderr, 'close');
    failure =
      `the dev server on ${address} did not start ` +
      `(${server.exitCode === null ? 'no answer after 120 tries' : `exit ${server.exitCode}`})` +
      (stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    console.error(`${failure}${attempt < START_ATTEMPTS ? '; trying new ports' : ''}`);
  }
  throw new Error(failure);
}

/** `/usr/bin/time -f '%e %U %S %M'` output: wall, CPU (user + system) seconds, peak RSS MB. */
export function readTimeFile(file: string): { wallS: number; cpuS: number; maxRssMb: number } {
  const [wall, user, sys, maxRssKb] = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ');
  return {
    wallS: Number(wall),
    cpuS: Number(user) + Number(sys),
    maxRssMb: Number(maxRssKb) / 1_024,
  };
}

/**
 * `node [flags] <headway> ARGS` and its environment: the Node flags and variables the bench needs at
 * start (its memory settings) are given here, so bin/headway.js does not run itself again and the
 * measured process is the bench.
 */
export function headwayCommand(
  headway: string,
  args: readonly string[],
): { readonly args: string[]; readonly env: NodeJS.ProcessEnv } {
  const settings = nodeSettingsFor(args, process.env);
  return {
    args: [...settings.flags, headway, ...args],
    env: { ...process.env, ...settings.env },
  };
}
