import type { Env } from '../config/load.js';
import type { HeadwayConfig } from '../config/schema.js';

import { PROMETHEUS, TEMPORAL, type BinarySpec } from './binaries.js';
import { ensureBinary, type EnsureContext, type ResolvedBinary } from './resolve.js';

export { BINARIES, PROMETHEUS, TEMPORAL } from './binaries.js';
export type { BinarySpec } from './binaries.js';
export { ensureBinary, findBinary, lookPath, probeVersion } from './resolve.js';
export type { Attempt, BinarySource, FindResult, ResolvedBinary } from './resolve.js';

function explicitPath(spec: BinarySpec, config: HeadwayConfig): string | undefined {
  return spec.name === 'temporal' ? config.toolchain.temporal_bin : config.toolchain.prometheus_bin;
}

export function toolchainContext(
  spec: BinarySpec,
  config: HeadwayConfig,
  env: Env,
  onProgress?: (message: string) => void,
): EnsureContext {
  return {
    explicitPath: explicitPath(spec, config),
    env,
    cacheDir: config.cache_dir,
    goBin: config.toolchain.go_bin,
    ...(config.toolchain.release_base_url === undefined
      ? {}
      : { releaseBaseUrl: config.toolchain.release_base_url }),
    ...(onProgress === undefined ? {} : { onProgress }),
  };
}

/** Finds or installs both binaries the local stack needs. */
export async function ensureStackBinaries(
  config: HeadwayConfig,
  env: Env,
  onProgress: (message: string) => void,
): Promise<{ temporal: ResolvedBinary; prometheus: ResolvedBinary }> {
  const temporal = await ensureBinary(
    TEMPORAL,
    toolchainContext(TEMPORAL, config, env, onProgress),
  );
  const prometheus = await ensureBinary(
    PROMETHEUS,
    toolchainContext(PROMETHEUS, config, env, onProgress),
  );
  return { temporal, prometheus };
}

export type { EnsureContext };
