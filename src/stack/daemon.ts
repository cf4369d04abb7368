import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError, errorMessage, headwayErrorFromJSON } from '../errors.js';
import { createRootLogger } from '../log/logger.js';

import { DAEMON_COMMAND } from './daemon-command.js';
import { runStack, type RunningStack } from './run-stack.js';
import type { StackBinaries } from './service-specs.js';
import { removeStackRecord, stateLayout, type StackRecord } from './state.js';

/** Messages between `headway up --detach` and the supervisor it starts. */
type ToDaemon = { type: 'start'; config: HeadwayConfig; binaries: StackBinaries };
type FromDaemon =
  | { type: 'progress'; message: string }
  | { type: 'ready'; record: StackRecord }
  | { type: 'failed'; error: { code: string; message: string; hint?: string; details?: string[] } };

const BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

/**
 * Starts the supervisor as a detached process (its own session, output to the state dir's
 * supervisor log) and relays its progress until the stack is ready. Returns the ready record; the
 * supervisor keeps running after this process exits.
 */
export async function spawnDaemon(
  config: HeadwayConfig,
  binaries: StackBinaries,
  onProgress: (message: string) => void,
): Promise<StackRecord> {
  const layout = stateLayout(config.state_dir);
  const out = openSync(layout.supervisorLog, 'a');
  const child = spawn(process.execPath, [...process.execArgv, BIN, DAEMON_COMMAND], {
    cwd: config.state_dir,
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
    env: process.env,
  });
  closeSync(out);

  // Ctrl-C while starting: the daemon stops what it started (it also notices the lost channel).
  const abort = (): void => {
    child.kill('SIGTERM');
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);

  try {
    return await new Promise<StackRecord>((resolve, reject) => {
      child.on('message', (raw) => {
        const message = raw as FromDaemon;
        switch (message.type) {
          case 'progress':
            onProgress(message.message);
            break;
          case 'ready':
            resolve(message.record);
            break;
          case 'failed':
            reject(headwayErrorFromJSON(message.error));
            break;
        }
      });
      child.once('error', (err) => reject(err));
      child.once('exit', (code, sig) =>
        reject(
          new HeadwayError(
            ErrorCode.ServiceExited,
            `the supervisor exited before the stack was ready (${sig ?? `code ${String(code)}`})`,
            { hint: `see ${layout.supervisorLog}` },
          ),
        ),
      );
      child.send({ type: 'start', config, binaries } satisfies ToDaemon);
    });
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** The detached supervisor's main: waits for its orders, runs the stack until SIGTERM. */
export function runDaemon(): Promise<void> {
  const logger = createRootLogger({ component: 'supervisor', destination: 'stdout' });
  const cancelStart = new AbortController();
  let starting: Promise<RunningStack | undefined> | undefined;
  let ready = false;
  let stopping = false;
  const send = (message: FromDaemon): void => {
    if (process.connected) process.send?.(message);
  };

  return new Promise<void>((resolveMain) => {
    const shutdown = async (reason: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, 'stopping stack');
      cancelStart.abort();
      const stack = await starting;
      await stack?.stop();
      logger.info('stack stopped');
      resolveMain();
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGHUP', () => undefined);
    process.on('disconnect', () => {
      // The parent went away before the stack was ready: nobody will ever use it.
      if (!ready) void shutdown('parent disconnected during start');
    });
    process.once('message', (raw) => {
      const message = raw as ToDaemon;
      logger.info({ state_dir: message.config.state_dir }, 'supervisor starting');
      starting = runStack({
        config: message.config,
        binaries: message.binaries,
        mode: 'detached',
        logger,
        onProgress: (text) => send({ type: 'progress', message: text }),
        signal: cancelStart.signal,
      }).then(
        (running) => {
          ready = true;
          send({ type: 'ready', record: running.record() });
          return running;
        },
        (err: unknown) => {
          logger.error({ err }, 'stack failed to start');
          removeStackRecord(message.config.state_dir);
          send({
            type: 'failed',
            error:
              err instanceof HeadwayError
                ? { ...err.toJSON(), details: [...err.details] }
                : { code: ErrorCode.Internal, message: errorMessage(err) },
          });
          if (!stopping) resolveMain();
          return undefined;
        },
      );
    });
  });
}
