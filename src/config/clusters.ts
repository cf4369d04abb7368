import { ErrorCode, HeadwayError } from '../errors.js';

import type { ClusterEntry } from './copilot.js';
import type { HeadwayConfig } from './schema.js';

/** One cluster the copilot watches, resolved against the shared sections. */
export interface MonitoredCluster {
  readonly name: string;
  /** The first cluster: today's task queue, workflow ids and unqualified API paths. */
  readonly isDefault: boolean;
  /** The copilot task queue its workflows and activities run on (one worker per cluster). */
  readonly taskQueue: string;
  readonly temporal: { readonly address: string | undefined; readonly namespace: string };
  /**
   * The whole config as this cluster sees it: `signals` (Prometheus, selectors, Loki, thresholds)
   * and `copilot` (cluster_id, log_file, alerts) carry its values, so every function that reads a
   * config reads this cluster's sources.
   */
  readonly config: HeadwayConfig;
}

/** The clusters `config` watches: `copilot.clusters`, or one named `copilot.cluster_id`. */
export function monitoredClusters(config: HeadwayConfig): MonitoredCluster[] {
  const entries: readonly ClusterEntry[] = config.copilot.clusters ?? [
    {
      name: config.copilot.cluster_id,
      temporal: {
        address: config.temporal.address,
        namespace: config.temporal.namespace ?? 'default',
      },
    },
  ];
  const clusters = entries.map((entry, i) => resolve(config, entry, i === 0));
  const bySource = new Map<string, string>();
  for (const c of clusters) {
    const source = `${c.config.signals.prometheus_url ?? 'local'} ${c.config.signals.server_selector}`;
    const other = bySource.get(source);
    if (other !== undefined) {
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        `clusters ${other} and ${c.name} read the same Prometheus series (${c.config.signals.server_selector})`,
        { hint: 'give each cluster in copilot.clusters its own prometheus_url or server_selector' },
      );
    }
    bySource.set(source, c.name);
  }
  return clusters;
}

/** The default cluster's name: the first of `copilot.clusters`, else `copilot.cluster_id`. */
export function defaultClusterName(config: HeadwayConfig): string {
  return config.copilot.clusters?.[0]?.name ?? config.copilot.cluster_id;
}

function resolve(config: HeadwayConfig, entry: ClusterEntry, isDefault: boolean): MonitoredCluster {
  const { signals, copilot } = config;
  // Another cluster's log is never read by default: only the default cluster inherits it.
  const ownLogs = entry.loki_url !== undefined || entry.log_file !== undefined;
  const lokiUrl = ownLogs ? entry.loki_url : isDefault ? signals.loki_url : undefined;
  const logFile = ownLogs ? entry.log_file : isDefault ? copilot.log_file : undefined;
  const clusterConfig: HeadwayConfig = {
    ...config,
    signals: {
      ...signals,
      prometheus_url: entry.prometheus_url ?? signals.prometheus_url,
      server_selector: entry.server_selector ?? signals.server_selector,
      worker_selector: entry.worker_selector ?? signals.worker_selector,
      loki_url: lokiUrl,
      thresholds: entry.thresholds ?? signals.thresholds,
    },
    copilot: {
      ...copilot,
      cluster_id: entry.name,
      log_file: logFile,
      alerts: entry.alerts ?? copilot.alerts,
    },
  };
  return {
    name: entry.name,
    isDefault,
    taskQueue: isDefault ? copilot.task_queue : `${copilot.task_queue}-${entry.name}`,
    temporal: { address: entry.temporal.address, namespace: entry.temporal.namespace },
    config: clusterConfig,
  };
}

/** Whether this cluster has a log source of its own (or, for the default cluster, inherited). */
export function hasLogSource(cluster: MonitoredCluster): boolean {
  return (
    cluster.isDefault ||
    cluster.config.signals.loki_url !== undefined ||
    cluster.config.copilot.log_file !== undefined
  );
}
