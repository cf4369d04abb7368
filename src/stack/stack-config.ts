import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

import { HeadwayConfigSchema, type HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';

import { LOOPBACK } from '../os/ports.js';
import { isRunning } from '../os/process-identity.js';

import { readStackRecord, stateLayout, type StateLayout } from './state.js';

/**
 * The config a stack was started with, kept in its state dir. Light on purpose: `status` and `ps`
 * read it at every call, so this module imports no Temporal or Prometheus client.
 */

/** Names the file holding the stack's config for the copilot child (never the config itself). */
export const STACK_CONFIG_FILE_ENV = 'HEADWAY_STACK_CONFIG_FILE';

/**
 * The copilot child needs the whole config, secrets included: it gets a file only this user may
 * read, not an environment variable, which its own children inherit and crash reports copy.
 * Written once by whoever starts the stack; the supervisor restarts the copilot on the same file,
 * and `ps` and `status` read it to reach the stack as it was started.
 */
export function writeStackConfig(config: HeadwayConfig, layout: StateLayout): void {
  const path = layout.copilotConfig;
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  chmodSync(path, 0o600); // `mode` applies only when the file is created
}

/**
 * The config the running stack was started with (flags of `up` included), or undefined when there
 * is none or it does not parse: the caller falls back to its own.
 */
export function readStackConfig(layout: StateLayout): HeadwayConfig | undefined {
  try {
    return loadStackConfig(layout.copilotConfig);
  } catch {
    return undefined;
  }
}

/** The stack's config file, validated; CONFIG_INVALID when it cannot be read or does not parse. */
export function loadStackConfig(path: string): HeadwayConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, `cannot read ${STACK_CONFIG_FILE_ENV}`, {
      hint: 'restart the stack with `headway up`',
      cause: err,
    });
  }
  const parsed = HeadwayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, `invalid ${STACK_CONFIG_FILE_ENV}`, {
      details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return parsed.data;
}

/** Where the copilot API answers on this machine (a wildcard bind is reached via loopback). */
export function copilotApiUrl(config: HeadwayConfig): string {
  const { host, port } = config.copilot.api;
  const reach = host === '0.0.0.0' || host === '::' ? LOOPBACK : host;
  return `http://${reach.includes(':') ? `[${reach}]` : reach}:${String(port)}`;
}

/**
 * The local stack's monitored server: on the port `up` started it with (`--temporal-port`
 * included) while that stack runs, else on this config's port.
 */
export function localMonitoredAddress(config: HeadwayConfig): string {
  return `${LOOPBACK}:${String(localStackConfig(config).stack.monitored.grpc_port)}`;
}

/**
 * The config of a command about the local stack: the running stack's (its ports, profile and
 * signal settings, as `up` was given them), else the command's own.
 */
export function localStackConfig(config: HeadwayConfig): HeadwayConfig {
  return runningStackConfig(config.state_dir) ?? config;
}

/**
 * The config to read signals with: the command's own when it or `--prometheus` names a
 * Prometheus, else the running local stack's, read as its copilot reads it (its Prometheus port
 * and, on the cluster profile, its history log).
 */
export function signalsConfig(config: HeadwayConfig, prometheusFlag?: string): HeadwayConfig {
  return prometheusFlag !== undefined || config.signals.prometheus_url !== undefined
    ? config
    : localStackConfig(config);
}

/**
 * The config of the stack running in `stateDir`; undefined when none is recorded, when its
 * supervisor is gone (a crash leaves the files behind: its ports mean nothing now), or when the
 * file does not parse.
 */
function runningStackConfig(stateDir: string): HeadwayConfig | undefined {
  let record;
  try {
    record = readStackRecord(stateDir);
  } catch {
    return undefined; // a damaged record: `ps` and `down` report it
  }
  if (record === undefined || !isRunning(record.supervisor)) return undefined;
  return readStackConfig(stateLayout(stateDir));
}
