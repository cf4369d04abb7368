import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';

import { startApiServer, type ApiServer } from '../api/server.js';
import { hasLogSource, monitoredClusters, type MonitoredCluster } from '../config/clusters.js';
import type { HeadwayConfig } from '../config/schema.js';
import type { TemporalConnectionConfig } from '../config/temporal.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { createCallBudget } from '../explain/llm/budget.js';
import { resolveThresholds, type ResolvedThresholds } from '../health/thresholds.js';
import {
  collectOptionsFor,
  logSourceFor,
  prometheusClientFor,
  prometheusUrlFor,
} from '../signals/source.js';
import { openStore, type OpenedStore } from '../store/open.js';
import type { AssessmentStore } from '../store/repository.js';
import { connectNative, unavailable } from '../temporal/connection.js';

import { createCopilotWorker, startCopilotWorkflows, type StartedWorkflows } from './worker.js';

/** Which parts of the copilot this process runs. */
export interface CopilotParts {
  readonly worker: boolean;
  readonly api: boolean;
  /** Start (or find running) the observe, log-watcher and scheduled workflows. */
  readonly startWorkflows: boolean;
}

export interface RunningCopilot {
  readonly apiUrl: string | undefined;
  /**
   * The workflow ids started (or found running): the default cluster's as `observe`, `logWatcher`,
   * `scheduled`; another cluster's as `observe:NAME`, ….
   */
  readonly workflows: Readonly<Record<string, string>> | undefined;
  /** Resolves when the worker stops by itself (a fatal error) or after `stop()`. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The copilot cluster's connection: `copilot.address`, else the local stack's copilot server. */
export function copilotConnection(config: HeadwayConfig): TemporalConnectionConfig {
  return {
    address: config.copilot.address ?? `127.0.0.1:${String(config.stack.copilot.grpc_port)}`,
    namespace: config.copilot.namespace,
    apiKey: undefined,
    tls: undefined,
    metadata: undefined,
    connectTimeoutMs: 10_000,
  };
}

/**
 * Opens the store on first use and keeps it; a failed open is not cached, so a store that was
 * down at start is picked up once it answers (the API says 503 meanwhile, the loop records it).
 */
export function lazyStore(config: HeadwayConfig, logger: Logger, defaultCluster: string) {
  let opening: Promise<OpenedStore> | undefined;
  const get = async (): Promise<AssessmentStore> => {
    opening ??= openStore(config, { defaultCluster }).then(
      (opened) => {
        logger.info({ store: opened.description }, 'assessment store open');
        return opened;
      },
      (err: unknown) => {
        opening = undefined;
        throw err;
      },
    );
    return (await opening).store;
  };
  const close = async (): Promise<void> => {
    const pending = opening;
    opening = undefined;
    if (pending !== undefined) await (await pending.catch(() => undefined))?.close();
  };
  return { get, close };
}

/**
 * Runs the chosen copilot parts in this process. PGlite is an in-process database, so with the
 * default store the worker and the API must share one process (`headway copilot run`).
 */
export async function startCopilot(
  config: HeadwayConfig,
  parts: CopilotParts,
  options: { logger: Logger; env?: NodeJS.ProcessEnv },
): Promise<RunningCopilot> {
  const { logger } = options;
  const clusters = monitoredClusters(config);
  const thresholds = new Map<string, ResolvedThresholds>();
  for (const cluster of clusters) {
    const resolved = resolveThresholds(cluster.config.signals.thresholds);
    if (Array.isArray(resolved)) {
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        `invalid threshold overrides${clusters.length > 1 ? ` of cluster ${cluster.name}` : ''}`,
        { details: resolved },
      );
    }
    thresholds.set(cluster.name, resolved);
  }
  const defaultCluster = clusters[0]!;
  const store = lazyStore(config, logger, defaultCluster.name);
  // Opened now rather than by the first activity: PGlite takes seconds to start, which would
  // otherwise eat into the first observation's timeout. A store that is down is retried later.
  if (parts.worker || parts.api) {
    await store.get().catch((err: unknown) => {
      logger.warn({ err: errorMessage(err) }, 'assessment store not available yet');
    });
  }
  const cleanups: (() => Promise<void>)[] = [async () => store.close()];
  const cleanup = async (): Promise<void> => {
    for (const c of [...cleanups].reverse()) await c().catch(() => undefined);
  };

  try {
    let api: ApiServer | undefined;
    if (parts.api) {
      api = await startApiServer(
        {
          store: store.get,
          api: config.copilot.api,
          logger,
          clusters: clusters.map((c) => ({
            name: c.name,
            isDefault: c.isDefault,
            thresholds: thresholds.get(c.name),
            describe: describeCluster(c),
          })),
          retentionDays: config.store.retention_days,
        },
        { host: config.copilot.api.host, port: config.copilot.api.port },
      );
      cleanups.push(async () => api?.close());
      logger.info({ url: api.url }, 'copilot API listening');
    }

    const temporal = copilotConnection(config);
    let workflows: Record<string, string> | undefined;
    if (parts.startWorkflows) {
      let connection: Connection;
      try {
        connection = await Connection.connect({
          address: temporal.address,
          connectTimeout: temporal.connectTimeoutMs,
        });
      } catch (err) {
        throw unavailable(temporal, err);
      }
      cleanups.push(async () => connection.close());
      const client = new Client({ connection, namespace: temporal.namespace });
      workflows = {};
      for (const cluster of clusters) {
        const ids: StartedWorkflows = await startCopilotWorkflows(client, {
          ...cluster.config.copilot,
          task_queue: cluster.taskQueue,
          thresholds: cluster.config.signals.thresholds,
        });
        const suffix = cluster.isDefault ? '' : `:${cluster.name}`;
        workflows[`observe${suffix}`] = ids.observe;
        workflows[`logWatcher${suffix}`] = ids.logWatcher;
        workflows[`scheduled${suffix}`] = ids.scheduled;
      }
      logger.info(workflows, 'copilot workflows running');
    }

    const workers: Worker[] = [];
    let native: NativeConnection | undefined;
    let done: Promise<void> = Promise.resolve();
    if (parts.worker) {
      // Checked before connecting: a provider without its key or region is a config error.
      // The providers' SDKs load only when one is configured (the default is none).
      const llmModule =
        config.explain.provider === 'none' ? undefined : await import('../explain/llm/model.js');
      const model = llmModule?.languageModelFor(config.explain, options.env ?? process.env);
      native = await connectNative(temporal);
      const nativeConnection = native;
      cleanups.push(async () => nativeConnection.close());
      const clientConnection = await Connection.connect({
        address: temporal.address,
        connectTimeout: temporal.connectTimeoutMs,
      }).catch((err: unknown) => {
        throw unavailable(temporal, err);
      });
      cleanups.push(async () => clientConnection.close());
      const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
      const llm =
        model === undefined || llmModule === undefined
          ? {}
          : {
              llm: {
                model,
                budget: createCallBudget({ maxCallsPerHour: config.explain.max_calls_per_hour }),
                timeoutMs: config.explain.timeout_s * 1000,
                temperature: config.explain.temperature,
                secrets: llmModule.secretsOf(config.explain),
              },
            };
      // One worker per cluster, on the cluster's task queue, with activities bound to its
      // Prometheus, logs, alert routes and rows: a workflow of one cluster cannot reach another's.
      for (const cluster of clusters) {
        workers.push(
          await createCopilotWorker({
            connection: native,
            namespace: temporal.namespace,
            taskQueue: cluster.taskQueue,
            deps: {
              prometheus: prometheusClientFor(cluster.config, { env: options.env ?? process.env }),
              collect: collectOptionsFor(cluster.config),
              logSource: hasLogSource(cluster)
                ? logSourceFor(cluster.config, { startAt: 'end' })
                : undefined,
              store: async () => (await store.get()).forCluster(cluster.name),
              client,
              retentionDays: config.store.retention_days,
              alerts: cluster.config.copilot.alerts,
              ...llm,
              logger: clusters.length > 1 ? logger.child({ cluster: cluster.name }) : logger,
            },
          }),
        );
      }
      // A worker that stops by itself stops the others: the copilot is up as a whole or not.
      done = Promise.all(
        workers.map((w) =>
          w.run().catch((err: unknown) => {
            logger.error({ err: errorMessage(err) }, 'copilot worker stopped');
            for (const other of workers) if (other.getState() === 'RUNNING') other.shutdown();
            throw err;
          }),
        ),
      ).then(() => undefined);
      logger.info(
        {
          task_queues: clusters.map((c) => c.taskQueue),
          address: temporal.address,
        },
        'copilot worker polling',
      );
    }

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch(() => undefined);
        await cleanup();
      })();
      return stopping;
    };
    return { apiUrl: api?.url, workflows, done, stop };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** What `/clusters` shows of a cluster: where its data comes from, without credentials. */
function describeCluster(cluster: MonitoredCluster): Record<string, unknown> {
  const { signals, copilot } = cluster.config;
  return {
    temporal_address: cluster.temporal.address ?? null,
    temporal_namespace: cluster.temporal.namespace,
    prometheus_url: withoutCredentials(prometheusUrlFor(cluster.config)),
    server_selector: signals.server_selector,
    logs: signals.loki_url !== undefined ? 'loki' : hasLogSource(cluster) ? 'file' : 'none',
    alert_routes: copilot.alerts.webhooks.length + copilot.alerts.slack_webhooks.length,
  };
}

/** A URL without user info, query or fragment (they may carry credentials). */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
