import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { CONFIG_FILE_ENV, ENV_KEYS } from './env-keys.js';
import { HeadwayConfigSchema, type HeadwayConfig } from './schema.js';
import { parseYaml } from './yaml.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Overrides from command-line flags, in the same nested shape as `headway.yml`. */
export type ConfigOverrides = Record<string, unknown>;

export interface LoadConfigOptions {
  readonly env?: Env;
  readonly cwd?: string;
  /** `--config FILE`; otherwise `HEADWAY_CONFIG`, otherwise `./headway.yml` when it exists. */
  readonly configPath?: string;
  readonly flags?: ConfigOverrides;
}

export interface LoadedConfig {
  readonly config: HeadwayConfig;
  /** The file that was read, if any. */
  readonly file: string | undefined;
}

/**
 * Builds the one frozen config for this process: defaults < `headway.yml` < environment < flags.
 * Throws a `CONFIG_INVALID` error that lists every problem, before anything is started.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env.HOME ?? homedir();

  const explicitFile = options.configPath ?? nonEmpty(env[CONFIG_FILE_ENV]);
  const file = explicitFile === undefined ? join(cwd, 'headway.yml') : resolve(cwd, explicitFile);
  const fromFile = readConfigFile(file, explicitFile !== undefined);
  const fileDir = dirname(file);

  const raw: Record<string, unknown> = {
    state_dir: defaultStateDir(env, home),
    cache_dir: defaultCacheDir(env, home),
  };
  if (fromFile !== undefined) {
    deepMerge(raw, resolvePaths(fromFile, fileDir, home));
  }
  deepMerge(raw, resolvePaths(envOverrides(env), cwd, home));
  if (options.flags !== undefined) {
    deepMerge(raw, resolvePaths(dropUndefined(options.flags), cwd, home));
  }

  const parsed = HeadwayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const source =
      fromFile === undefined ? 'environment and flags' : `${file}, environment and flags`;
    throw new HeadwayError(ErrorCode.ConfigInvalid, `invalid configuration (from ${source})`, {
      details: z.prettifyError(parsed.error).split('\n'),
      hint: 'fix the values listed above; `headway --help` lists the flags and environment variables',
    });
  }
  return { config: deepFreeze(parsed.data), file: fromFile === undefined ? undefined : file };
}

function readConfigFile(file: string, required: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeadwayError(ErrorCode.ConfigFileUnreadable, `cannot read config file ${file}`, {
      cause: err,
      hint: `check the path given to --config or ${CONFIG_FILE_ENV}`,
      details: [errorMessage(err)],
    });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, `config file ${file} is not valid YAML`, {
      details: [errorMessage(err)],
      hint: 'fix the YAML syntax at the line shown',
    });
  }
  if (value == null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `config file ${file} must hold a YAML mapping`,
      {
        hint: 'start the file with keys such as `state_dir:` or `stack:`',
      },
    );
  }
  return value as Record<string, unknown>;
}

function envOverrides(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, path] of Object.entries(ENV_KEYS)) {
    const value = nonEmpty(env[key]);
    if (value !== undefined) setPath(out, path, value);
  }
  return out;
}

const DIR_KEYS = new Set(['state_dir', 'cache_dir']);
/** Binaries may be bare command names, looked up on PATH by the toolchain. */
const BIN_KEYS = new Set(['temporal_bin', 'prometheus_bin', 'go_bin']);

/** Paths in a file are relative to that file; on the command line, relative to the cwd. */
function resolvePaths(
  value: Record<string, unknown>,
  base: string,
  home: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if ((DIR_KEYS.has(key) || BIN_KEYS.has(key)) && typeof v === 'string' && v.length > 0) {
      out[key] = resolvePath(v, base, home, BIN_KEYS.has(key));
    } else if (isPlainObject(v)) {
      out[key] = resolvePaths(v, base, home);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function resolvePath(value: string, base: string, home: string, commandName: boolean): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return join(home, value.slice(2));
  // A bare command name (no slash) is looked up on PATH by the toolchain, not made absolute.
  if (commandName && !value.includes('/')) return value;
  return isAbsolute(value) ? value : resolve(base, value);
}

function defaultStateDir(env: Env, home: string): string {
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  return join(xdg ?? join(home, '.local', 'state'), 'headway');
}

export function defaultCacheDir(env: Env, home: string): string {
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  return join(xdg ?? join(home, '.cache'), 'headway');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      deepMerge(existing, value);
    } else {
      target[key] = isPlainObject(value) ? structuredClone(value) : value;
    }
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (isPlainObject(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  });
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[key] = isPlainObject(v) ? dropUndefined(v) : v;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds flag overrides from (path, value) pairs; pairs whose value is undefined (flag not given)
 * are left out. One object, so several flags under the same section all survive.
 */
export function overrides(
  entries: readonly (readonly [readonly string[], unknown])[],
): ConfigOverrides {
  const out: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    if (value !== undefined) setPath(out, path, value);
  }
  return out;
}

/** One (path, value) override; see `overrides`. */
export function override(path: readonly string[], value: unknown): ConfigOverrides {
  return overrides([[path, value]]);
}
