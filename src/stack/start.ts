import type { Logger } from 'pino';

import { listPorts, type HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { identify } from '../os/process-identity.js';
import { ensureClusterBinaries, ensureStackBinaries } from '../toolchain/index.js';

import { findPostgresBinDir } from './cluster/postgres-binaries.js';
import { checkShardCount } from './cluster/services.js';

import { spawnDaemon } from './daemon.js';
import { inspectExistingStack } from './lifecycle.js';
import { assertPortsFree } from './ports.js';
import { runStack, type RunningStack } from './run-stack.js';
import type { StackBinaries } from './service-specs.js';
import {
  claimStackRecord,
  ensureStateDir,
  removeStackRecord,
  stateLayout,
  type ServiceName,
  type StackRecord,
} from './state.js';

/** What a stack supervised by this process needs from whoever runs it in the foreground. */
export interface ForegroundHooks {
  readonly logger: Logger;
  readonly onLine: (service: ServiceName, line: string) => void;
  /** Cancels a start in progress; everything started is stopped. */
  readonly signal: AbortSignal;
}

/** A supervisor process of its own keeps the stack. */
export interface DetachedStart {
  readonly config: HeadwayConfig;
  readonly mode: 'detached';
}

/**
 * This process keeps the stack. `hooks` is called once the stack record is claimed, just before
 * the start, so the log file and the signal handlers exist only when this process supervises.
 */
export interface ForegroundStart {
  readonly config: HeadwayConfig;
  readonly mode: 'foreground';
  readonly hooks: () => ForegroundHooks;
}

/** A ready stack found in the state dir (`up` is idempotent). */
export interface AlreadyRunning {
  readonly kind: 'already-running';
  readonly record: StackRecord;
}

export interface StartedDetached {
  readonly kind: 'detached';
  readonly record: StackRecord;
  /** When the start began (after the check for a running stack), in ms since the epoch. */
  readonly startedAt: number;
}

export interface StartedForeground {
  readonly kind: 'foreground';
  readonly stack: RunningStack;
  readonly startedAt: number;
}

/**
 * `headway up`: reports a ready stack that is already running (up is idempotent); otherwise
 * fetches the binaries, checks the ports, claims the state dir's stack record and brings every
 * service up, in a detached supervisor or in this process. Returns once the stack is ready.
 */
export async function startStack(
  options: DetachedStart,
  progress: (message: string) => void,
): Promise<AlreadyRunning | StartedDetached>;
export async function startStack(
  options: ForegroundStart,
  progress: (message: string) => void,
): Promise<AlreadyRunning | StartedForeground>;
export async function startStack(
  options: DetachedStart | ForegroundStart,
  progress: (message: string) => void,
): Promise<AlreadyRunning | StartedDetached | StartedForeground> {
  const { config } = options;
  ensureStateDir(config.state_dir);

  const existing = inspectExistingStack(config.state_dir);
  if (existing.kind === 'running') return { kind: 'already-running', record: existing.record };
  if (existing.removedStale)
    progress('removed the record of a stack that did not shut down cleanly');

  const startedAt = Date.now();
  const binaries = await ensureStackBinaries(config, process.env, progress);
  progress(
    `temporal ${binaries.temporal.version} (${binaries.temporal.source}: ${binaries.temporal.path})`,
  );
  progress(
    `prometheus ${binaries.prometheus.version} (${binaries.prometheus.source}: ${binaries.prometheus.path})`,
  );
  const cluster =
    config.stack.profile === 'cluster'
      ? await ensureClusterBinaries(config, process.env, progress)
      : undefined;
  if (cluster !== undefined) {
    for (const b of [cluster.server, cluster.sqlTool, cluster.uiServer])
      progress(`${b.name} ${b.version} (${b.source}: ${b.path})`);
    if (
      config.stack.cluster.postgres.url === undefined &&
      findPostgresBinDir(config.stack.cluster.postgres.bin_dir) === undefined
    ) {
      throw new HeadwayError(ErrorCode.BinaryNotFound, 'PostgreSQL server binaries not found', {
        hint:
          'apt-get install postgresql (Headway runs initdb and postgres itself), or give a server ' +
          'with stack.cluster.postgres.url',
      });
    }
  }
  if (cluster !== undefined) checkShardCount(config, stateLayout(config.state_dir));
  await assertPortsFree(listPorts(config));

  const claimed = claimStackRecord({
    version: 1,
    state_dir: config.state_dir,
    status: 'starting',
    started_at: new Date().toISOString(),
    supervisor: { ...identify(process.pid), mode: options.mode },
    services: [],
  });
  if (!claimed) {
    throw new HeadwayError(
      ErrorCode.StackBusy,
      `another \`headway up\` is starting a stack in ${config.state_dir}`,
      {
        hint: 'wait for it and run `headway ps`',
      },
    );
  }

  const paths: StackBinaries = {
    temporal: binaries.temporal.path,
    prometheus: binaries.prometheus.path,
    ...(cluster === undefined
      ? {}
      : {
          cluster: {
            server: cluster.server.path,
            sqlTool: cluster.sqlTool.path,
            uiServer: cluster.uiServer.path,
          },
        }),
  };
  progress(`starting the stack in ${config.state_dir}`);
  if (options.mode === 'detached') {
    try {
      return { kind: 'detached', record: await spawnDaemon(config, paths, progress), startedAt };
    } catch (err) {
      removeStackRecord(config.state_dir);
      throw err;
    }
  }
  const hooks = options.hooks();
  const stack = await runStack({
    config,
    binaries: paths,
    mode: 'foreground',
    logger: hooks.logger,
    onProgress: progress,
    signal: hooks.signal,
    onLine: hooks.onLine,
  });
  return { kind: 'foreground', stack, startedAt };
}
