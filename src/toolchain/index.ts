import type { Env } from '../config/load.js';
import type { HeadwayConfig } from '../config/schema.js';

import {
  PROMETHEUS,
  TEMPORAL,
  TEMPORAL_SERVER,
  TEMPORAL_SQL_TOOL,
  TEMPORAL_UI_SERVER,
  type BinarySpec,
} from './binaries.js';
import { ensureBinary, type EnsureContext, type ResolvedBinary } from './resolve.js';

export {
  BINARIES,
  CLUSTER_BINARIES,
  HELM,
  PROMETHEUS,
  TEMPORAL,
  TEMPORAL_SERVER,
  TEMPORAL_SQL_TOOL,
  TEMPORAL_UI_SERVER,
} from './binaries.js';
export type { BinarySpec } from './binaries.js';
export { ensureBinary, findBinary, lookPath, probeVersion } from './resolve.js';
export type { Attempt, BinarySource, FindResult, ResolvedBinary } from './resolve.js';

function explicitPath(spec: BinarySpec, config: HeadwayConfig): string | undefined {
  const t = config.toolchain;
  const paths: Record<BinarySpec['name'], string | undefined> = {
    temporal: t.temporal_bin,
    prometheus: t.prometheus_bin,
    'temporal-server': t.temporal_server_bin,
    'temporal-sql-tool': t.temporal_sql_tool_bin,
    'temporal-ui-server': t.temporal_ui_server_bin,
    // No config key: found on PATH or in the cache, or installed there (`headway install helm`).
    helm: undefined,
  };
  return paths[spec.name];
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

/** The cluster profile's three binaries, found or installed like the CLI. */
export async function ensureClusterBinaries(
  config: HeadwayConfig,
  env: Env,
  onProgress: (message: string) => void,
): Promise<{ server: ResolvedBinary; sqlTool: ResolvedBinary; uiServer: ResolvedBinary }> {
  const ensure = (spec: BinarySpec) =>
    ensureBinary(spec, toolchainContext(spec, config, env, onProgress));
  return {
    server: await ensure(TEMPORAL_SERVER),
    sqlTool: await ensure(TEMPORAL_SQL_TOOL),
    uiServer: await ensure(TEMPORAL_UI_SERVER),
  };
}
