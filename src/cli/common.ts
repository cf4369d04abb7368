import type { Command } from 'commander';

import { loadConfig, overrides, type LoadedConfig } from '../config/load.js';

export interface CommonOptions {
  config?: string;
  stateDir?: string;
}

/** Adds the options every stack command shares. */
export function withCommonOptions(command: Command): Command {
  return command
    .option(
      '-c, --config <file>',
      'config file (default: ./headway.yml if present, or $HEADWAY_CONFIG)',
    )
    .option(
      '--state-dir <dir>',
      'state directory (default: $HEADWAY_STATE_DIR or ~/.local/state/headway)',
    );
}

export function loadCommandConfig(
  options: CommonOptions,
  flags: readonly (readonly [readonly string[], unknown])[] = [],
): LoadedConfig {
  return loadConfig({
    ...(options.config === undefined ? {} : { configPath: options.config }),
    flags: overrides([[['state_dir'], options.stateDir], ...flags]),
  });
}

/** Parses a port flag; commander hands over strings. Range is checked by the config schema. */
export function portFlag(value: string): number {
  const port = Number(value);
  return Number.isInteger(port) ? port : Number.NaN;
}
