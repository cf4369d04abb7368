/**
 * Brings the cluster profile's monitored cluster up under the stack's supervisor: PostgreSQL (or
 * the configured server), the schema, every Temporal service instance, the namespaces, the UI.
 */
import { Connection } from '@temporalio/client';

import type { HeadwayConfig } from '../../config/schema.js';
import type { Topology } from '../../topology/model.js';
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
  type PostgresTarget,
} from './postgres.js';
import { hasClusterMetadata, setupSchema } from './schema.js';
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
  // Every service writes the cluster metadata when it starts; on a new database several at once
  // race for its row and the losers exit ("Failed to apply cluster metadata", seen in CI). So one
  // first, until the row is there, then the rest together.
  // A history instance: ready once its metrics answer, needing no other service (the frontend's
  // health check would wait for the rest).
  const first = instances.find((i) => i.name.startsWith('temporal-history-')) ?? instances[0];
  const rest = instances.filter((i) => i !== first);
  if (first !== undefined && !(await hasClusterMetadata(target, cluster.topology))) {
    await supervisor.startAll([first], deadline, progress, signal);
    await waitForClusterMetadata(target, cluster.topology, deadline, first.name);
    await supervisor.startAll(rest, deadline, progress, signal);
  } else {
    await supervisor.startAll(instances, deadline, progress, signal);
  }

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

/** Waits for the first instance to write the cluster metadata row, up to `up`'s deadline. */
async function waitForClusterMetadata(
  target: PostgresTarget,
  topology: Topology,
  deadline: number,
  writer: string,
): Promise<void> {
  while (!(await hasClusterMetadata(target, topology))) {
    if (Date.now() > deadline) {
      throw new HeadwayError(
        ErrorCode.ReadinessTimeout,
        `${writer} is running but has not written the cluster metadata`,
        { hint: `see \`headway logs ${writer}\`` },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
