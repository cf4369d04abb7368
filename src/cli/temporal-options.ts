import type { Command } from 'commander';

import type { LoadedConfig } from '../config/load.js';
import {
  DEFAULT_TEMPORAL_ADDRESS,
  resolveTemporalConnection,
  temporalEnvOverrides,
  type TemporalConnectionConfig,
} from '../config/temporal.js';

import { localMonitoredAddress } from '../stack/stack-config.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';

export interface TemporalOptions extends CommonOptions {
  address?: string;
  namespace?: string;
  tls?: boolean;
  profile?: string;
}

/** What `--namespace` is when not given, for commands that take the connection's. */
const NAMESPACE_HELP = 'namespace (default: $TEMPORAL_NAMESPACE or default)';

/**
 * Connection flags shared by `headway worker`, `headway workflow …` and `headway bench …`;
 * `namespaceHelp` for a command whose namespace defaults otherwise (the bench's fresh one).
 */
export function withTemporalOptions(command: Command, namespaceHelp = NAMESPACE_HELP): Command {
  return withCommonOptions(command)
    .option(
      '--address <host:port>',
      'Temporal frontend (default: $TEMPORAL_ADDRESS, temporal.address, else the local stack’s server)',
    )
    .option('-n, --namespace <name>', namespaceHelp)
    .option('--tls', 'connect with TLS (implied by an API key, e.g. Temporal Cloud)')
    .option('--profile <name>', 'profile of the Temporal SDK config file (temporal.toml)');
}

export interface TemporalCommandConfig extends LoadedConfig {
  readonly connection: TemporalConnectionConfig;
}

/**
 * Loads the config for a command that talks to Temporal: defaults < temporal.toml profile <
 * headway.yml < environment (HEADWAY_*, then TEMPORAL_*) < flags. The API key is deliberately not a
 * flag (it would show in `ps`): set TEMPORAL_API_KEY or `temporal.api_key`.
 */
export function loadTemporalCommandConfig(
  options: TemporalOptions,
  flags: readonly (readonly [readonly string[], unknown])[] = [],
  env: NodeJS.ProcessEnv = process.env,
): TemporalCommandConfig {
  const loaded = loadCommandConfig(options, [
    // The SDK's variables go in before the flags, so a flag wins over them.
    ...temporalEnvOverrides(env),
    [['temporal', 'address'], options.address],
    [['temporal', 'namespace'], options.namespace],
    [['temporal', 'tls'], options.tls],
    [['temporal', 'profile'], options.profile],
    ...flags,
  ]);
  const connection = resolveTemporalConnection(loaded.config.temporal, env);
  // Nothing named a server (flag, headway.yml, TEMPORAL_ADDRESS, temporal.toml): the local
  // stack's, wherever `up` put it, rather than the SDK's 127.0.0.1:7233.
  const named =
    loaded.config.temporal.address !== undefined || connection.address !== DEFAULT_TEMPORAL_ADDRESS;
  return {
    ...loaded,
    connection: named
      ? connection
      : { ...connection, address: localMonitoredAddress(loaded.config) },
  };
}

/** A CLI argument as a workflow payload: JSON when it parses, otherwise the text itself. */
export function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
