/**
 * Workflow bundles kept on disk between processes. Bundling (webpack) costs seconds of CPU and a
 * few hundred MB at its peak, at every start of a process that runs workers; a bundle is reused
 * while nothing it could contain changed: the key hashes every TypeScript source under `src/` (the
 * workflows and whatever they import) and the SDK's workflow package version.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

import { bundleOnce, type BundleOptions } from './worker-pool.js';

const SRC = fileURLToPath(new URL('../', import.meta.url));

const cached = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** The bundle of `workflowsPath`: from `cacheDir` when current, else built and stored there. */
export function cachedBundle(
  workflowsPath: string,
  cacheDir: string,
  options: Pick<BundleOptions, 'preloadModules'> = {},
): Promise<WorkflowBundleWithSourceMap> {
  // The in-process key is cheap; the disk key (a hash of every source) is computed once, in load.
  const preload = options.preloadModules ?? [];
  const inProcess = `${workflowsPath}\0${preload.join('\0')}`;
  let bundle = cached.get(inProcess);
  if (bundle === undefined) {
    bundle = load(workflowsPath, cacheDir, options);
    cached.set(inProcess, bundle);
  }
  return bundle;
}

async function load(
  workflowsPath: string,
  cacheDir: string,
  options: Pick<BundleOptions, 'preloadModules'>,
): Promise<WorkflowBundleWithSourceMap> {
  const dir = join(cacheDir, 'workflow-bundles');
  const file = join(dir, `${bundleKey(workflowsPath, options.preloadModules ?? [])}.json`);
  const stored = readStoredBundle(file);
  if (stored !== undefined) return stored;
  const bundle = await bundleOnce(workflowsPath, options);
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a concurrent reader never sees half a bundle.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written costs the next start a bundling, nothing more.
  }
  return bundle;
}

/**
 * A bundle stored as JSON `{ code, sourceMap }` (this cache's files, and the bench's bundle that
 * `npm ci` builds); undefined when the file is missing, unreadable or not that shape.
 */
export function readStoredBundle(file: string): WorkflowBundleWithSourceMap | undefined {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<WorkflowBundleWithSourceMap>;
    if (typeof stored.code === 'string' && typeof stored.sourceMap === 'string') {
      return { code: stored.code, sourceMap: stored.sourceMap };
    }
  } catch {
    // Not there, or unreadable: the caller bundles.
  }
  return undefined;
}

/** Exported for its test: what makes two bundles the same. */
export function bundleKey(workflowsPath: string, preloadModules: readonly string[]): string {
  const hash = createHash('sha256');
  const sdk = createRequire(import.meta.url)('@temporalio/workflow/package.json') as {
    version: string;
  };
  hash.update(`${sdk.version}\0${relative(SRC, workflowsPath)}\0${preloadModules.join('\0')}\0`);
  for (const file of sources(SRC)) {
    hash.update(`${relative(SRC, file)}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Every non-test TypeScript file under `dir`, in a stable order. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.[cm]?[jt]s$/.test(entry.name) && !/\.test\.[jt]s$/.test(entry.name)) out.push(path);
  }
  return out;
}
