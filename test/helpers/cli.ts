import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { errorMessage } from '../../src/errors.js';

export const HEADWAY_BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * This process's environment without a Headway or Temporal setting, plus `extra`: a user's shell
 * in which only what a test names is set (e.g. the state dir of a stack started with flags).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HEADWAY_') && !k.startsWith('TEMPORAL_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs the real `headway` CLI as a user would, in a child process. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEADWAY_BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`headway ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the CLI without waiting for it (foreground `up`), collecting its output. */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { readonly detached?: boolean } = {},
): {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  closed: Promise<number | null>;
} {
  const child = spawn(process.execPath, [HEADWAY_BIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => ({ stdout, stderr }), closed };
}

/**
 * Polls `check` until it returns a value other than undefined, at most `patienceMs / intervalMs`
 * times: bounded by a count of checks, not by the clock, so a slow check on a busy machine still
 * gets every try.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  patienceMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const tries = Math.max(1, Math.ceil(patienceMs / intervalMs));
  let lastError: unknown;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (attempt < tries) await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `gave up after ${tries} checks ${intervalMs} ms apart waiting for ${what}${lastError === undefined ? '' : `: ${errorMessage(lastError)}`}`,
  );
}
