import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { StepCommand } from '../../config/temporal.js';

/** Variables a step inherits from the worker; everything else (API keys, tokens) stays behind. */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TERM'] as const;

/** Largest instructions JSON also passed inline (HEADWAY_INSTRUCTIONS); the file always has it. */
export const INLINE_INSTRUCTIONS_MAX_BYTES = 32 * 1024;

/** The instructions of one step run in a file only this user can read; `remove` deletes it. */
export async function writeInstructions(
  instructions: readonly string[],
): Promise<{ readonly path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'headway-step-'));
  const path = join(dir, 'instructions.json');
  await writeFile(path, JSON.stringify(instructions), { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** HEADWAY_INSTRUCTIONS_FILE always; HEADWAY_INSTRUCTIONS too while it fits an environment. */
export function instructionsEnv(
  file: string,
  instructions: readonly string[],
): Record<string, string> {
  const json = JSON.stringify(instructions);
  return Buffer.byteLength(json) <= INLINE_INSTRUCTIONS_MAX_BYTES
    ? { HEADWAY_INSTRUCTIONS_FILE: file, HEADWAY_INSTRUCTIONS: json }
    : { HEADWAY_INSTRUCTIONS_FILE: file };
}

export interface StepRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** True when `abort` fired (the activity was cancelled) and the command was killed. */
  readonly aborted: boolean;
  readonly durationMs: number;
  readonly output: string;
  readonly outputTruncated: boolean;
}

export interface RunCommandOptions {
  readonly spec: StepCommand;
  /** Added to the command's environment (HEADWAY_ITERATION, …). */
  readonly env: Readonly<Record<string, string>>;
  /** The worker's environment, of which only INHERITED_ENV is passed on. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly abort?: AbortSignal;
  /** Called about once a second while the command runs (the activity heartbeats). */
  readonly onTick?: () => void;
  /** Process-group ids of running commands, so a forced worker exit can kill them. */
  readonly running?: Set<number>;
  /** Told when the command's process starts and when it has exited (on-disk records). */
  readonly onSpawn?: (pid: number) => void;
  readonly onExit?: (pid: number) => void;
}

/**
 * Runs a configured step command: argv without a shell, in its own process group (a timeout or a
 * cancellation kills everything it started), stdout and stderr captured together with only the
 * tail kept. Rejects only when the command cannot be started.
 */
export function runStepCommand(options: RunCommandOptions): Promise<StepRun> {
  const { spec } = options;
  const [program, ...args] = spec.command;
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = options.baseEnv[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, spec.env, options.env);

  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(program!, args, {
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const tail = new OutputTail(spec.max_output_bytes);
    let timedOut = false;
    let aborted = false;
    const pid = child.pid;
    if (pid !== undefined) {
      options.running?.add(pid);
      options.onSpawn?.(pid);
    }

    const killGroup = (): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeout_s * 1_000);
    const ticker = options.onTick === undefined ? undefined : setInterval(options.onTick, 1_000);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    options.abort?.addEventListener('abort', onAbort, { once: true });

    const cleanup = (): void => {
      clearTimeout(timer);
      if (ticker !== undefined) clearInterval(ticker);
      options.abort?.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        options.running?.delete(pid);
        options.onExit?.(pid);
      }
    };

    child.stdout.on('data', (d: Buffer) => tail.push(d));
    child.stderr.on('data', (d: Buffer) => tail.push(d));
    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('close', (code, signal) => {
      cleanup();
      // The command may have left children behind in its group; they go with it.
      killGroup();
      resolve({
        exitCode: code,
        signal,
        timedOut,
        aborted,
        durationMs: Date.now() - started,
        output: tail.text(),
        outputTruncated: tail.truncated,
      });
    });
  });
}

/** Keeps the last `limit` bytes of a stream. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  text(): string {
    let buffer = Buffer.concat(this.chunks);
    // A cut may land inside a UTF-8 sequence: drop the orphaned continuation bytes.
    if (this.truncated) {
      let start = 0;
      while (start < buffer.length && start < 4 && (buffer[start]! & 0xc0) === 0x80) start++;
      buffer = buffer.subarray(start);
    }
    return buffer.toString('utf8');
  }
}
