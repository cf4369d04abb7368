import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

import type { Env } from '../config/load.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import type { BinarySpec } from './binaries.js';
import { downloadRelease } from './download.js';
import { goInstall } from './go-install.js';

const execFileAsync = promisify(execFile);

export type BinarySource = 'explicit' | 'path' | 'cache' | 'download' | 'go-install';

export interface ResolvedBinary {
  readonly name: string;
  readonly path: string;
  readonly version: string;
  readonly source: BinarySource;
}

export interface Attempt {
  readonly step: BinarySource;
  readonly outcome: string;
}

export interface FindContext {
  /** The explicit path from config or environment, if any. */
  readonly explicitPath?: string | undefined;
  readonly env: Env;
  readonly cacheDir: string;
}

export interface EnsureContext extends FindContext {
  readonly onProgress?: (message: string) => void;
  /** Base of the release download URLs (a mirror, or a local server in tests). */
  readonly releaseBaseUrl?: string;
  /** Go toolchain to build with; otherwise `go` on PATH or /usr/local/go/bin/go. */
  readonly goBin?: string | undefined;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
}

export interface FindResult {
  readonly found: ResolvedBinary | undefined;
  readonly attempts: readonly Attempt[];
}

export function cacheBinDir(cacheDir: string): string {
  return join(cacheDir, 'bin');
}

/**
 * Looks for an installed binary without installing anything: the explicit path, then PATH, then
 * Headway's cache. An explicit path that does not work is an error, never silently skipped: the
 * user asked for that binary.
 */
export async function findBinary(spec: BinarySpec, ctx: FindContext): Promise<FindResult> {
  const attempts: Attempt[] = [];

  if (ctx.explicitPath !== undefined) {
    const path = ctx.explicitPath.includes('/')
      ? ctx.explicitPath
      : (lookPath(ctx.explicitPath, ctx.env) ?? ctx.explicitPath);
    if (!isExecutable(path)) {
      throw new HeadwayError(
        ErrorCode.BinaryInvalid,
        `${spec.envVar} (or toolchain.${spec.name}_bin) points at ${path}, which is not an executable file`,
        { hint: `fix the path, or unset it to let Headway find ${spec.name} itself` },
      );
    }
    const version = await probeVersion(spec, path);
    if (version === undefined) {
      throw new HeadwayError(
        ErrorCode.BinaryInvalid,
        `${path} (from ${spec.envVar} or toolchain.${spec.name}_bin) did not report a ${spec.name} version`,
        { hint: `point it at a real ${spec.name} binary` },
      );
    }
    return { found: { name: spec.name, path, version, source: 'explicit' }, attempts };
  }

  for (const candidate of lookPathAll(spec.executable, ctx.env)) {
    const version = await probeVersion(spec, candidate);
    if (version !== undefined) {
      return { found: { name: spec.name, path: candidate, version, source: 'path' }, attempts };
    }
    attempts.push({
      step: 'path',
      outcome: `${candidate} is not ${spec.name} (no version output)`,
    });
  }
  if (!attempts.some((a) => a.step === 'path')) {
    attempts.push({ step: 'path', outcome: `no ${spec.executable} on PATH` });
  }

  const cached = join(cacheBinDir(ctx.cacheDir), spec.executable);
  if (isExecutable(cached)) {
    const version = await probeVersion(spec, cached);
    if (version !== undefined) {
      return { found: { name: spec.name, path: cached, version, source: 'cache' }, attempts };
    }
    attempts.push({ step: 'cache', outcome: `${cached} did not report a version` });
  } else {
    attempts.push({ step: 'cache', outcome: `nothing at ${cached}` });
  }
  return { found: undefined, attempts };
}

/**
 * Finds a binary or installs it into the cache: release download, then (Temporal) `go install`.
 * Throws `BINARY_NOT_FOUND` listing every step tried and how to fix it.
 */
export async function ensureBinary(spec: BinarySpec, ctx: EnsureContext): Promise<ResolvedBinary> {
  const { found, attempts } = await findBinary(spec, ctx);
  if (found !== undefined) return found;
  const tried = [...attempts];
  const progress = ctx.onProgress ?? (() => undefined);
  const binDir = cacheBinDir(ctx.cacheDir);

  const platform = ctx.platform ?? process.platform;
  const arch = ctx.arch ?? process.arch;
  const asset = spec.release(ctx.releaseBaseUrl ?? 'https://github.com', platform, arch);
  if (asset === undefined) {
    tried.push({ step: 'download', outcome: `no release for ${platform}/${arch}` });
  } else {
    try {
      const path = await downloadRelease(asset, join(binDir, spec.executable), progress);
      const version = await probeVersion(spec, path);
      if (version === undefined) throw new Error(`downloaded ${path} did not report a version`);
      return { name: spec.name, path, version, source: 'download' };
    } catch (err) {
      tried.push({ step: 'download', outcome: `${asset.url}: ${errorMessage(err)}` });
      progress(`${spec.name}: download failed (${errorMessage(err)})`);
    }
  }

  if (spec.goInstall !== undefined) {
    const go = ctx.goBin ?? lookPath('go', ctx.env) ?? existing('/usr/local/go/bin/go');
    if (go === undefined) {
      tried.push({
        step: 'go-install',
        outcome: 'no Go toolchain (go not on PATH or /usr/local/go/bin)',
      });
    } else {
      try {
        const path = await goInstall({
          go,
          pkg: spec.goInstall.pkg,
          ldflags: spec.goInstall.ldflags,
          binDir,
          executable: spec.executable,
          env: ctx.env,
          onProgress: progress,
        });
        const version = await probeVersion(spec, path);
        if (version === undefined) throw new Error(`built ${path} did not report a version`);
        return { name: spec.name, path, version, source: 'go-install' };
      } catch (err) {
        tried.push({ step: 'go-install', outcome: errorMessage(err) });
      }
    }
  }

  throw new HeadwayError(ErrorCode.BinaryNotFound, `could not find or install ${spec.name}`, {
    details: tried.map((a) => `${a.step}: ${a.outcome}`),
    hint: spec.installHint,
  });
}

/** Runs `<bin> --version` and parses it; undefined when it is not the expected program. */
export async function probeVersion(spec: BinarySpec, path: string): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await execFileAsync(path, [...spec.versionArgs], {
      timeout: 15_000,
      maxBuffer: 1 << 20,
    });
    return spec.parseVersion(`${stdout}\n${stderr}`);
  } catch {
    return undefined;
  }
}

export function lookPath(executable: string, env: Env): string | undefined {
  return lookPathAll(executable, env)[0];
}

function lookPathAll(executable: string, env: Env): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  const out: string[] = [];
  for (const dir of dirs) {
    const candidate = join(dir, executable);
    if (isExecutable(candidate) && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}

function existing(path: string): string | undefined {
  return isExecutable(path) ? path : undefined;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
