import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../../src/errors.js';
import { findFreePorts, isPortFree } from '../../src/os/ports.js';
import type { ServiceSpec } from '../../src/stack/service-specs.js';
import { Supervisor } from '../../src/stack/supervisor.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * A scripted service (a real child process): its first run says what a Temporal dev server says
 * when another process took a port before it could bind it (Go's "bind: address already in use"
 * for `lostPort`) and exits; later runs listen on `port`. Each run appends a line to `runs`. As
 * `json`, it says so in a log line; as `panic`, as a Go panic does: the message, then a goroutine
 * trace longer than the lines an error quotes.
 */
const SCRIPT = `
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
const [runs, port, lostPort, form] = process.argv.slice(2);
appendFileSync(runs, 'run\\n');
if (readFileSync(runs, 'utf8').split('\\n').length === 2) {
  const cause = 'listen tcp 127.0.0.1:' + lostPort + ': bind: address already in use';
  if (form === 'panic') {
    console.error('panic: ' + cause + '\\n\\ngoroutine 1 [running]:');
    for (let i = 0; i < 60; i++) console.error('go.temporal.io/server/frame' + i + '()\\n\\t/src/f.go:' + i);
  } else {
    console.error(JSON.stringify({ level: 'error', msg: 'Failed to start gRPC listener', error: cause }));
  }
  process.exit(2);
}
createServer().listen(Number(port), '127.0.0.1');
`;

describe('Supervisor: a service that loses a port at start (a scripted service)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function scripted(lostPortIsOurs: boolean, form: 'json' | 'panic' = 'json') {
    const dir = makeTempDir('headway-supervisor-');
    cleanups.push(dir.remove);
    const [port, other] = await findFreePorts(2);
    const script = join(dir.path, 'service.mjs');
    writeFileSync(script, SCRIPT);
    const runs = join(dir.path, 'runs');
    writeFileSync(runs, '');
    const spec: ServiceSpec = {
      name: 'scripted',
      command: process.execPath,
      args: [script, runs, String(port), String(lostPortIsOurs ? port : other), form],
      cwd: dir.path,
      logFile: join(dir.path, 'logs', 'scripted.log'),
      ports: { main: port! },
      url: `http://127.0.0.1:${port}`,
      endpoints: [],
      probe: async () => !(await isPortFree(port!)),
    };
    const supervisor = new Supervisor({ logger: pino({ level: 'silent' }) });
    cleanups.push(() => supervisor.stopAll());
    const progress: string[] = [];
    const started = supervisor
      .startAll([spec], Date.now() + 60_000, (m) => progress.push(m))
      .then(() => undefined)
      .catch((err: unknown) => err);
    return {
      started,
      progress,
      supervisor,
      lost: lostPortIsOurs ? port : other,
      runs: () => readFileSync(runs, 'utf8').trim().split('\n').length,
    };
  }

  it('starts it once more when the port was one it picked itself, and says so', async () => {
    const s = await scripted(false);
    expect(await s.started).toBeUndefined();
    expect(s.runs()).toBe(2);
    expect(s.progress[0]).toBe(
      `scripted lost port ${s.lost}, which it had picked itself, to another process; starting it again`,
    );
    expect(s.progress[1]).toMatch(/^scripted ready in /);
    expect(s.supervisor.records().map((r) => r.status)).toEqual(['running']);
  });

  it('does not start it again when the port was one Headway gave it: that is a real conflict', async () => {
    const s = await scripted(true);
    const err = await s.started;
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.ServiceExited);
    expect((err as HeadwayError).message).toBe('scripted exited with code 2 while starting');
    expect((err as HeadwayError).details.join('\n')).toContain('address already in use');
    expect(s.runs()).toBe(1);
    expect(s.progress).toEqual([]);
  });

  it('finds the lost port in a Go panic, behind a goroutine trace, and starts it once more', async () => {
    const s = await scripted(false, 'panic');
    expect(await s.started).toBeUndefined();
    expect(s.runs()).toBe(2);
    expect(s.progress[0]).toMatch(new RegExp(`^scripted lost port ${s.lost}, `));
  });

  it('quotes a Go panic from its message, not the bottom of its trace', async () => {
    const s = await scripted(true, 'panic');
    const err = await s.started;
    expect(err).toBeInstanceOf(HeadwayError);
    const details = (err as HeadwayError).details;
    expect(details[0]).toContain(
      `panic: listen tcp 127.0.0.1:${s.lost}: bind: address already in use`,
    );
    expect(details.length).toBeLessThanOrEqual(12);
    expect(s.runs()).toBe(1);
  });
});
