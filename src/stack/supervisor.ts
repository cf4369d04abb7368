import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

import type { Logger } from 'pino';

import { ErrorCode, HeadwayError } from '../errors.js';

import { compactLogLine } from './log-format.js';
import { identify, type ProcessIdentity } from '../os/process-identity.js';
import { RotatingLog } from './rotating-log.js';
import type { ServiceSpec } from './service-specs.js';
import type { ServiceName, ServiceRecord } from './state.js';

export interface SupervisorOptions {
  readonly logger: Logger;
  /** Every output line of every service, as written to its log file. */
  readonly onLine?: (service: ServiceName, line: string) => void;
  /** Called whenever a service's pid or status changes, so the stack record can be rewritten. */
  readonly onChange?: () => void;
  /** Restarts allowed within `windowMs` before a crashing service is left failed. */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
  /** How long a service gets to stop after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
}

interface Running {
  readonly spec: ServiceSpec;
  child: ChildProcess;
  identity: ProcessIdentity;
  startedAt: Date;
  status: ServiceRecord['status'];
  restarts: number;
  restartTimes: number[];
  exited: Promise<string>;
  readonly log: RotatingLog;
  readonly tail: string[];
}

/**
 * Lines of each service's output kept for its error: enough for a Go panic, whose message comes
 * before a goroutine trace that is often longer than 40 lines.
 */
const TAIL_LINES = 200;

/** The lines of a service's output quoted in its error. */
const QUOTED_LINES = 12;

/**
 * Runs the stack's services as child processes. Each child gets its own process group, so a Ctrl-C
 * in the terminal reaches only the supervisor, which then stops the children in an orderly way.
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #running = new Map<ServiceName, Running>();
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /**
   * Starts every service and waits until each probe passes. If any service exits or misses the
   * deadline, stops everything it started and throws, so nothing is left half-started.
   */
  async startAll(
    specs: readonly ServiceSpec[],
    deadline: number,
    onProgress: (message: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      for (const spec of specs) this.#spawn(spec);
      await Promise.all(
        specs.map((spec) => this.#waitReady(spec.name, deadline, onProgress, signal)),
      );
    } catch (err) {
      await this.stopAll();
      throw err;
    }
  }

  records(): ServiceRecord[] {
    return [...this.#running.values()].map((r) => ({
      name: r.spec.name,
      pid: r.identity.pid,
      start_time: r.identity.start_time,
      started_at: r.startedAt.toISOString(),
      status: r.status,
      restarts: r.restarts,
      ports: { ...r.spec.ports },
      url: r.spec.url,
      endpoints: [...r.spec.endpoints],
      log_file: r.spec.logFile,
    }));
  }

  /**
   * Stops every service (SIGTERM, then SIGKILL after the grace period). Services named in `first`
   * stop before the others (the copilot before the servers it talks to); the rest in parallel.
   */
  async stopAll(first: readonly ServiceName[] = []): Promise<void> {
    this.#stopping = true;
    const all = [...this.#running.values()];
    await Promise.all(all.filter((r) => first.includes(r.spec.name)).map((r) => this.#stop(r)));
    await Promise.all(all.filter((r) => r.spec.stopAfterOthers !== true).map((r) => this.#stop(r)));
    await Promise.all(all.map((r) => this.#stop(r)));
    for (const r of this.#running.values()) r.log.close();
  }

  async #stop(r: Running): Promise<void> {
    if (r.status === 'stopped' || r.status === 'failed') return;
    const grace = this.#options.stopGraceMs ?? 15_000;
    r.child.kill(r.spec.stopSignal ?? 'SIGTERM');
    // The grace timer is cancelled as soon as the service exits, so it never holds the process.
    const timer = new AbortController();
    const done = await Promise.race([
      r.exited.then(() => true),
      delay(grace, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!done) {
      this.#options.logger.warn(
        { service: r.spec.name, pid: r.identity.pid },
        'service ignored its stop signal; killing',
      );
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }

  #spawn(spec: ServiceSpec, previous?: Running): Running {
    mkdirSync(spec.cwd, { recursive: true });
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      ...(spec.env === undefined ? {} : { env: { ...spec.env } }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const log = previous?.log ?? new RotatingLog(spec.logFile);
    const tail = previous?.tail ?? [];
    const running: Running = {
      spec,
      child,
      identity: child.pid === undefined ? { pid: -1, start_time: null } : identify(child.pid),
      startedAt: new Date(),
      status: 'starting',
      restarts: previous?.restarts ?? 0,
      restartTimes: previous?.restartTimes ?? [],
      log,
      tail,
      exited: new Promise<string>((resolve) => {
        child.once('error', (err) => resolve(`could not start ${spec.command}: ${err.message}`));
        // 'close' comes after the output pipes drained, so the log tail is complete by then.
        child.once('close', (code, signal) =>
          resolve(signal === null ? `exited with code ${String(code)}` : `killed by ${signal}`),
        );
      }),
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        log.writeLine(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        this.#options.onLine?.(spec.name, line);
      });
    }
    this.#running.set(spec.name, running);
    this.#options.logger.info(
      { service: spec.name, pid: child.pid, args: spec.args },
      'service started',
    );
    void running.exited.then((reason) => this.#onExit(running, reason));
    this.#options.onChange?.();
    return running;
  }

  async #waitReady(
    name: ServiceName,
    deadline: number,
    onProgress: (message: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    let running = this.#running.get(name);
    if (running === undefined) throw new Error(`unknown service ${name}`);
    let exitReason: string | undefined;
    const watch = (r: Running): void => {
      void r.exited.then((reason) => {
        if (this.#running.get(name) === r) exitReason = reason;
      });
    };
    watch(running);
    let startedAgain = false;
    while (Date.now() < deadline) {
      if (signal?.aborted === true) throw startCancelled();
      const lost = exitReason === undefined ? undefined : portLostToAnother(running);
      if (lost !== undefined && !startedAgain && !this.#stopping) {
        // The Temporal dev server picks ports for its internal services itself (free when it
        // looked, bound a moment later); another process can take one in between. A new start
        // picks new ones. A port of ours that is busy is a real conflict: not tried again.
        startedAgain = true;
        exitReason = undefined;
        onProgress(
          `${name} lost port ${lost}, which it had picked itself, to another process; starting it again`,
        );
        running = this.#spawn(running.spec, running);
        watch(running);
        continue;
      }
      if (exitReason !== undefined) {
        throw new HeadwayError(ErrorCode.ServiceExited, `${name} ${exitReason} while starting`, {
          details: quoteTail(name, running.tail),
          hint:
            `see ${running.spec.logFile}. If it names a damaged database, move ${running.spec.cwd} ` +
            'aside, or start from scratch with `headway down --volumes` (deletes all stack data)',
        });
      }
      if (await running.spec.probe(1_500)) {
        running.status = 'running';
        this.#options.onChange?.();
        const seconds = ((Date.now() - running.startedAt.getTime()) / 1000).toFixed(1);
        onProgress(`${name} ready in ${seconds}s`);
        return;
      }
      await delay(250);
    }
    throw new HeadwayError(ErrorCode.ReadinessTimeout, `${name} was not ready in time`, {
      details: quoteTail(name, running.tail),
      hint: `see ${running.spec.logFile}; raise stack.ready_timeout_s if this machine is slow`,
    });
  }

  #onExit(running: Running, reason: string): void {
    if (this.#running.get(running.spec.name) !== running) return;
    if (this.#stopping) {
      running.status = 'stopped';
      this.#options.logger.info({ service: running.spec.name, reason }, 'service stopped');
      this.#options.onChange?.();
      return;
    }
    if (running.status === 'starting') {
      // A service that dies before it was ever ready is reported by startAll, not restarted.
      running.status = 'failed';
      this.#options.onChange?.();
      return;
    }
    const now = Date.now();
    const windowMs = this.#options.restartWindowMs ?? 10 * 60_000;
    running.restartTimes = running.restartTimes.filter((t) => now - t < windowMs);
    if (running.restartTimes.length >= (this.#options.maxRestarts ?? 5)) {
      running.status = 'failed';
      this.#options.logger.error(
        { service: running.spec.name, reason, restarts: running.restartTimes.length },
        'service keeps crashing; giving up',
      );
      this.#options.onChange?.();
      return;
    }
    const backoffMs = Math.min(30_000, 1_000 * 2 ** running.restartTimes.length);
    running.status = 'restarting';
    this.#options.logger.warn(
      { service: running.spec.name, reason, backoffMs },
      'service exited; restarting',
    );
    this.#options.onChange?.();
    void delay(backoffMs).then(() => {
      if (this.#stopping) return;
      const next = this.#spawn(running.spec, running);
      next.restarts = running.restarts + 1;
      next.restartTimes = [...running.restartTimes, Date.now()];
      next.status = 'running';
      this.#options.onChange?.();
    });
  }
}

/**
 * The port a service that exited could not bind because another process had it, when that port is
 * not one of those Headway gave it (so the service picked it itself); undefined otherwise.
 */
function portLostToAnother(running: Running): number | undefined {
  for (const line of [...running.tail].reverse()) {
    const m = /listen tcp [^\s]*:(\d+): bind: address already in use/.exec(line);
    if (m === null) continue;
    const port = Number(m[1]);
    return Object.values(running.spec.ports).includes(port) ? undefined : port;
  }
  return undefined;
}

/**
 * The last lines a service wrote, compacted: errors first-class, noise trimmed. After a Go panic
 * the lines from its message on: the bottom of its goroutine trace says nothing of the cause.
 */
function quoteTail(name: ServiceName, tail: readonly string[]): string[] {
  const panicAt = tail.findLastIndex((line) => line.startsWith('panic: '));
  const lines =
    panicAt === -1 ? tail.slice(-QUOTED_LINES) : tail.slice(panicAt, panicAt + QUOTED_LINES);
  return lines.map((line) => compactLogLine(name, line).trim());
}

export function startCancelled(): HeadwayError {
  return new HeadwayError(ErrorCode.Usage, 'start cancelled; everything started was stopped');
}
