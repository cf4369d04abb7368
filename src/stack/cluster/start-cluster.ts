/**
 * Brings the cluster profile's monitored cluster up under the stack's supervisor: PostgreSQL (or
 * the configured server), the schema, every Temporal service instance, the namespaces, the UI.
 */
import { Connection } from '@temporalio/client';

import type { HeadwayConfig } from '../../config/schema.js';
import { ErrorCode, HeadwayError } from '../../errors.js';
import { ensureNamespace } from '../../temporal/namespaces.js';
import type { StateLayout } from '../state.js';
import type { Supervisor } from '../supervisor.js';

import {
  canConnect,
  ensureTemporalRole,
  initPostgres,
  postgresService,
  postgresTarget,
} from './postgres.js';
import { setupSchema } from './schema.js';
import {
  clusterInstanceServices,
  frontendAddress,
  uiService,
  writeClusterFiles,
  type ClusterBinaries,
} from './services.js';

export interface StartClusterOptions {
  readonly config: HeadwayConfig;
  readonly layout: StateLayout;
  readonly binaries: ClusterBinaries;
  readonly supervisor: Supervisor;
  readonly deadline: number;
  readonly onProgress: (message: string) => void;
  readonly signal?: AbortSignal;
}

export async function startCluster(options: StartClusterOptions): Promise<void> {
  const { config, layout, supervisor, deadline, onProgress: progress, signal } = options;
  const cluster = config.stack.cluster;
  const target = postgresTarget(cluster, layout);

  if (target.managed) {
    const created = initPostgres(cluster, layout, target);
    if (created !== undefined) progress(created);
    await supervisor.startAll(
      [postgresService(cluster, layout, target)],
      deadline,
      progress,
      signal,
    );
    const role = await ensureTemporalRole(target);
    if (role !== undefined) progress(role);
  } else if (!(await canConnect(target, 'postgres', 10_000))) {
    throw new HeadwayError(
      ErrorCode.StoreUnavailable,
      `PostgreSQL at ${target.host}:${String(target.port)} refused a login as ${target.user}`,
      {
        hint: 'check stack.cluster.postgres.url, that the server runs, and HEADWAY_CLUSTER_POSTGRES_PASSWORD',
      },
    );
  }

  await setupSchema(options.binaries.sqlTool, target, cluster.topology, {
    allowUpgrade: false,
    onProgress: progress,
  });

  writeClusterFiles(config, layout);
  const instances = clusterInstanceServices(config, layout, options.binaries, target);
  progress(`starting ${String(instances.length)} Temporal service instances`);
  await supervisor.startAll(instances, deadline, progress, signal);

  const connection = await Connection.connect({ address: frontendAddress(config) });
  try {
    for (const namespace of ['default', ...config.stack.monitored.namespaces]) {
      await ensureNamespace(connection, namespace, progress, {
        description: 'registered by headway up --profile cluster',
        readinessTaskQueue: 'headway-readiness',
        timeoutMs: Math.max(5_000, deadline - Date.now()),
      });
    }
  } finally {
    await connection.close();
  }

  if (cluster.ui) {
    await supervisor.startAll(
      [uiService(config, layout, options.binaries)],
      deadline,
      progress,
      signal,
    );
  }
}
