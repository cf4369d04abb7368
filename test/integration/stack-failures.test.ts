import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { errorMessage } from '../../src/errors.js';
import { isPortFree } from '../../src/os/ports.js';
import { freeStackPorts } from '../../src/stack/ports.js';
import { identify, isRunning } from '../../src/os/process-identity.js';
import type { StackRecord } from '../../src/stack/state.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually, runCli, startCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** An environment for one isolated stack: its own state dir and free ports. */
async function isolatedStack(): Promise<{
  env: NodeJS.ProcessEnv;
  ports: number[];
  dir: string;
  remove: () => void;
}> {
  const binaries = await testBinaries();
  const dir = makeTempDir('headway-fail-');
  const stack = await freeStackPorts();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HEADWAY_STATE_DIR: dir.path,
    HEADWAY_TEMPORAL_BIN: binaries.temporal,
    HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
    HEADWAY_READY_TIMEOUT_S: '60',
    ...stack.env,
  };
  const ports = [...stack.ports];
  return { env, ports, dir: dir.path, remove: dir.remove };
}

async function expectAllPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) expect(await isPortFree(port), `port ${port} still in use`).toBe(true);
}

/** The pid of a process that has exited: it is certainly not one of ours any more. */
function deadPid(): number {
  const result = spawnSync('sh', ['-c', 'echo $$']);
  return Number(result.stdout.toString().trim());
}

describe('headway up: bad conditions give a clear error and leave nothing half-started', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** `headway up` in the foreground, once it says it is ready; killed after the test if still up. */
  async function foreground(env: NodeJS.ProcessEnv) {
    const fg = startCli(['up'], env);
    cleanups.push(() => {
      if (fg.child.exitCode === null) fg.child.kill('SIGKILL');
    });
    // An `up` that gave up (a port taken meanwhile, a service that did not start) fails the test at
    // once with its own words, instead of the wait running out with nothing to go on.
    const tail = (): string => {
      const { stdout, stderr } = fg.output();
      return `\n--- stdout\n${stdout.slice(-3_000)}\n--- stderr\n${stderr.slice(-3_000)}`;
    };
    let closed = false;
    void fg.closed.then(() => (closed = true));
    const outcome = await eventually(
      'the foreground stack to be ready',
      () =>
        fg.output().stdout.includes('Press Ctrl-C to stop')
          ? 'ready'
          : closed
            ? 'exited'
            : undefined,
      90_000,
    ).catch((err: unknown) => {
      throw new Error(`${errorMessage(err)}${tail()}`);
    });
    if (outcome === 'exited') throw new Error(`headway up exited before it was ready${tail()}`);
    return fg;
  }

  async function stack() {
    const s = await isolatedStack();
    cleanups.push(s.remove, async () => {
      await runCli(['down'], s.env);
    });
    return s;
  }

  it('refuses to start when a port is busy, and starts nothing', async () => {
    const s = await stack();
    const busyPort = s.ports[8]!;
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(busyPort, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    const up = await runCli(['up', '--detach'], s.env);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('error[PORT_IN_USE]');
    expect(up.stderr).toContain(`prometheus: 127.0.0.1:${busyPort} is in use`);
    expect(up.stderr).toContain('fix:');
    expect(existsSync(join(s.dir, 'stack.json'))).toBe(false);
    await expectAllPortsFree(s.ports.slice(0, 8));
  });

  it('reports a server that exits at start (a damaged database) with its own error, and stops the rest', async () => {
    const s = await stack();
    mkdirSync(join(s.dir, 'temporal-monitored'), { recursive: true });
    writeFileSync(join(s.dir, 'temporal-monitored', 'temporal.db'), Buffer.alloc(64 * 1024, 0x5a));

    const up = await runCli(['up', '--detach'], s.env);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(
      'error[SERVICE_EXITED]: temporal-monitored exited with code 1 while starting',
    );
    expect(up.stderr).toContain('file is not a database');
    expect(up.stderr).toContain('headway down --volumes');
    expect(existsSync(join(s.dir, 'stack.json'))).toBe(false);
    await expectAllPortsFree(s.ports);
    const ps = await runCli(['ps', '--json'], s.env);
    expect(JSON.parse(ps.stdout)).toEqual([]);
  });

  it('refuses an explicit binary that is not executable, naming the setting', async () => {
    const s = await stack();
    const up = await runCli(['up', '--detach'], {
      ...s.env,
      HEADWAY_PROMETHEUS_BIN: join(s.dir, 'no-such-prometheus'),
    });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('error[BINARY_INVALID]');
    expect(up.stderr).toContain('HEADWAY_PROMETHEUS_BIN');
  });

  it('rejects a damaged stack record, and `down --volumes` recovers', async () => {
    const s = await stack();
    writeFileSync(join(s.dir, 'stack.json'), '{"version": 1, "status": ');

    const up = await runCli(['up', '--detach'], s.env);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('error[STATE_CORRUPT]');
    expect(up.stderr).toContain('fix:');

    const down = await runCli(['down', '--volumes'], s.env);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(join(s.dir, 'stack.json'))).toBe(false);
  });

  it('rejects invalid configuration listing every problem', async () => {
    const s = await stack();
    writeFileSync(join(s.dir, 'headway.yml'), 'stak: {}\n');
    const config = join(s.dir, 'headway.yml');
    const up = await runCli(
      [
        'up',
        '--detach',
        '--config',
        config,
        '--prometheus-port',
        '99999',
        '--temporal-port',
        'abc',
      ],
      s.env,
    );
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('error[CONFIG_INVALID]');
    expect(up.stderr).toContain('stak');
    expect(up.stderr).toMatch(/between 1 and 65535/);
    expect(up.stderr).toMatch(/port number/);
  });

  it('rejects a misspelt flag with a suggestion and usage exit code', async () => {
    const s = await stack();
    const up = await runCli(['up', '--detatch'], s.env);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain("unknown option '--detatch'");
    expect(up.stderr).toContain('--detach');
  });

  it('clears a stale record, runs in the foreground, and stops cleanly on Ctrl-C', async () => {
    const s = await stack();
    const stale: StackRecord = {
      version: 1,
      state_dir: s.dir,
      status: 'ready',
      started_at: new Date(0).toISOString(),
      supervisor: { pid: deadPid(), start_time: 1, mode: 'detached' },
      services: [],
    };
    writeFileSync(join(s.dir, 'stack.json'), JSON.stringify(stale));

    const fg = await foreground(s.env);
    expect(fg.output().stderr).toContain(
      'removed the record of a stack that did not shut down cleanly',
    );

    const ps = await runCli(['ps', '--json'], s.env);
    const services = JSON.parse(ps.stdout) as { name: string; pid: number; health: string }[];
    expect(services.map((x) => [x.name, x.health])).toEqual([
      ['temporal-monitored', 'healthy'],
      ['temporal-copilot', 'healthy'],
      ['prometheus', 'healthy'],
      ['copilot', 'healthy'],
    ]);
    const record = JSON.parse(
      (await runCli(['up', '--detach', '--json'], s.env)).stdout,
    ) as StackRecord;
    expect(record.supervisor.mode).toBe('foreground');
    expect(record.supervisor.pid).toBe(fg.child.pid);

    fg.child.kill('SIGINT');
    expect(await fg.closed).toBe(0);
    expect(fg.output().stderr).toContain('stopped; data is kept');
    for (const svc of services) expect(isRunning(identify(svc.pid)), svc.name).toBe(false);
    await expectAllPortsFree(s.ports);
    expect(existsSync(join(s.dir, 'stack.json'))).toBe(false);
  });

  it('closing the terminal of a foreground stack (SIGHUP) stops it like Ctrl-C', async () => {
    const s = await stack();
    const fg = await foreground(s.env);
    const ps = await runCli(['ps', '--json'], s.env);
    const services = JSON.parse(ps.stdout) as { name: string; pid: number }[];
    expect(services.length).toBeGreaterThan(0);

    fg.child.kill('SIGHUP');
    expect(await fg.closed).toBe(0);
    for (const svc of services) expect(isRunning(identify(svc.pid)), svc.name).toBe(false);
    await expectAllPortsFree(s.ports);
    expect(existsSync(join(s.dir, 'stack.json'))).toBe(false);
  });

  it('`down` from another terminal stops a foreground stack', async () => {
    const s = await stack();
    const fg = await foreground(s.env);

    const down = await runCli(['down'], s.env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Stopped temporal-monitored');
    expect(await fg.closed).toBe(0);
    await expectAllPortsFree(s.ports);
  });
});
