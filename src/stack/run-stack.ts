import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import type { Logger } from 'pino';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { instantQuery } from '../signals/prometheus-client.js';

import { identify } from '../os/process-identity.js';
import { clusterInstances } from '../config/cluster.js';

import { startCluster } from './cluster/start-cluster.js';
import { renderPrometheusConfig, type ScrapeTarget } from './prometheus-config.js';
import {
  copilotService,
  metricsUrl,
  prometheusUrl,
  stackServices,
  type StackBinaries,
} from './service-specs.js';
import { copilotApiUrl, writeStackConfig } from './stack-config.js';
import {
  removeStackRecord,
  stateLayout,
  writeStackRecord,
  type ServiceName,
  type StackRecord,
} from './state.js';
import { Supervisor, startCancelled } from './supervisor.js';

export interface RunStackOptions {
  readonly config: HeadwayConfig;
  readonly binaries: StackBinaries;
  readonly mode: StackRecord['supervisor']['mode'];
  readonly logger: Logger;
  readonly onProgress: (message: string) => void;
  readonly onLine?: (service: ServiceName, line: string) => void;
  /** Cancels a start in progress; everything started is stopped. */
  readonly signal?: AbortSignal;
}

export interface RunningStack {
  readonly record: () => StackRecord;
  /** Stops every service and removes the stack record. Safe to call more than once. */
  readonly stop: () => Promise<void>;
}

/** The Prometheus jobs whose first successful scrape `up` waits for. */
export const SERVER_JOBS = ['temporal-monitored', 'temporal-copilot'] as const;

/**
 * Brings the local stack up in this process and returns once every service is ready and
 * Prometheus has scraped both servers. The caller must already own the stack record (see
 * `claimStackRecord`); on failure everything started is stopped and the record removed.
 */
export async function runStack(options: RunStackOptions): Promise<RunningStack> {
  const { config, logger } = options;
  const layout = stateLayout(config.state_dir);
  const started = Date.now();
  const deadline = started + config.stack.ready_timeout_s * 1000;

  mkdirSync(layout.prometheusTargets, { recursive: true });
  mkdirSync(layout.prometheusData, { recursive: true });
  writeFileSync(
    layout.prometheusConfig,
    renderPrometheusConfig({
      scrapeInterval: config.stack.prometheus.scrape_interval,
      static: [
        ...monitoredTargets(config),
        {
          job: 'temporal-copilot',
          address: hostPort(metricsUrl(config.stack.copilot)),
          labels: { cluster: 'copilot' },
        },
        // The copilot's own /metrics (state, log pattern counts): Grafana's log-pattern panel.
        { job: 'headway-copilot', address: hostPort(copilotApiUrl(config)) },
      ],
      selfAddress: `127.0.0.1:${config.stack.prometheus.port}`,
      targetsDir: layout.prometheusTargets,
    }),
  );

  const record: StackRecord = {
    version: 1,
    state_dir: config.state_dir,
    status: 'starting',
    started_at: new Date(started).toISOString(),
    supervisor: { ...identify(process.pid), mode: options.mode },
    services: [],
  };
  let stopped = false;
  let stopping: Promise<void> | undefined;
  const supervisor = new Supervisor({
    logger,
    ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
    onChange: () => {
      if (stopped) return;
      record.services = supervisor.records();
      writeStackRecord(record);
    },
  });
  writeStackRecord(record);
  // Before any service: `ps` probes a stack still starting as it is being started.
  writeStackConfig(config, layout);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      record.status = 'stopping';
      writeStackRecord(record);
      await supervisor.stopAll(['copilot']);
      stopped = true;
      removeStackRecord(config.state_dir);
    })();
    return stopping;
  };

  try {
    if (config.stack.profile === 'cluster') {
      if (options.binaries.cluster === undefined) throw new Error('cluster binaries not resolved');
      await startCluster({
        config,
        layout,
        binaries: options.binaries.cluster,
        supervisor,
        deadline,
        onProgress: options.onProgress,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    }
    await supervisor.startAll(
      stackServices(config, options.binaries, layout),
      deadline,
      options.onProgress,
      options.signal,
    );
    options.onProgress('waiting for the first Prometheus scrape of every Temporal server');
    await waitForFirstScrape(
      prometheusUrl(config),
      started,
      deadline,
      options.signal,
      monitoredTargets(config).length + 1,
    );
    // The copilot needs its Temporal server and Prometheus, so it starts once they are ready.
    options.onProgress('starting the copilot (worker, workflows, API)');
    await supervisor.startAll(
      [copilotService(config, layout)],
      deadline,
      options.onProgress,
      options.signal,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  record.status = 'ready';
  record.services = supervisor.records();
  writeStackRecord(record);
  logger.info({ seconds: (Date.now() - started) / 1000 }, 'stack ready');
  return { record: () => structuredClone(record), stop };
}

/**
 * Waits until Prometheus has scraped every Temporal server successfully *since `sinceMs`*. The time
 * bound matters: on existing data the previous run's last `up == 1` sample is still returned for
 * minutes, and would pass for a scrape of servers that have not been scraped at all.
 */
export async function waitForFirstScrape(
  promUrl: string,
  sinceMs: number,
  deadline: number,
  signal?: AbortSignal,
  /** Targets across both jobs (the cluster profile has one per service instance). */
  expectedTargets: number = SERVER_JOBS.length,
): Promise<void> {
  const pending = new Set<string>(SERVER_JOBS);
  const query = `timestamp(up{job=~"${SERVER_JOBS.join('|')}"} == 1)`;
  while (Date.now() < deadline) {
    if (signal?.aborted === true) throw startCancelled();
    try {
      let scraped = 0;
      for (const sample of await instantQuery(promUrl, query)) {
        if (sample.value * 1000 < sinceMs) continue;
        pending.delete(sample.metric.job ?? '');
        scraped += 1;
      }
      if (pending.size === 0 && scraped >= expectedTargets) return;
    } catch {
      // Not answering yet; the deadline decides.
    }
    await delay(500);
  }
  throw new HeadwayError(
    ErrorCode.ReadinessTimeout,
    `Prometheus did not scrape ${[...pending].join(' and ')} in time`,
    { hint: 'see the prometheus log (`headway logs prometheus`); the metrics port may be blocked' },
  );
}

/**
 * What Prometheus scrapes as `temporal-monitored`: the dev server, or every service instance of
 * the cluster, labelled with its role (`temporal_service`) and instance (`temporal_instance`).
 */
export function monitoredTargets(config: HeadwayConfig): ScrapeTarget[] {
  if (config.stack.profile === 'dev') {
    return [
      {
        job: 'temporal-monitored',
        address: hostPort(metricsUrl(config.stack.monitored)),
        labels: { cluster: 'monitored' },
      },
    ];
  }
  return clusterInstances(config.stack.cluster, config.stack.monitored).map((i) => ({
    job: 'temporal-monitored',
    address: `127.0.0.1:${String(i.metrics)}`,
    labels: { cluster: 'monitored', temporal_service: i.role, temporal_instance: i.id },
  }));
}

function hostPort(url: string): string {
  return new URL(url).host;
}
