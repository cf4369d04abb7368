import type { HeadwayConfig } from '../config/schema.js';

import { join } from 'node:path';

import { JsonLogFileSource } from './log-file-source.js';
import type { LogSource } from './log-patterns.js';
import { LokiSource, type LokiAuth } from './loki-source.js';
import type { PrometheusAuth } from './prometheus-auth.js';
import { PrometheusClient } from './prometheus-client.js';

/** The Prometheus to read: `--prometheus`, then `signals.prometheus_url`, then the local stack's. */
export function prometheusUrlFor(config: HeadwayConfig, override?: string): string {
  return (
    override ?? config.signals.prometheus_url ?? `http://127.0.0.1:${config.stack.prometheus.port}`
  );
}

export function prometheusAuthFor(config: HeadwayConfig): PrometheusAuth {
  const a = config.signals.auth;
  switch (a.type) {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      return { type: 'bearer', token: a.token ?? '' };
    case 'basic':
      return { type: 'basic', username: a.username ?? '', password: a.password ?? '' };
    case 'sigv4':
      return { type: 'sigv4', region: a.region ?? '', service: a.service };
  }
}

export function prometheusClientFor(
  config: HeadwayConfig,
  options: { url?: string | undefined; env?: Readonly<Record<string, string | undefined>> } = {},
): PrometheusClient {
  return new PrometheusClient({
    baseUrl: prometheusUrlFor(config, options.url),
    auth: prometheusAuthFor(config),
    timeoutMs: config.signals.query_timeout_ms,
    env: options.env ?? process.env,
  });
}

/** Collection options from config: selectors, concurrency and per-query timeout. */
export function collectOptionsFor(config: HeadwayConfig) {
  return {
    serverSelector: config.signals.server_selector,
    workerSelector: config.signals.worker_selector,
    concurrency: config.signals.concurrency,
    timeoutMs: config.signals.query_timeout_ms,
  };
}

/** Loki's own credentials (validated by the config schema: each type has what it needs). */
function lokiAuth(a: HeadwayConfig['signals']['loki_auth']): { auth?: LokiAuth } {
  if (a.type === 'bearer' && a.token !== undefined)
    return { auth: { type: 'bearer', token: a.token } };
  if (a.type === 'basic' && a.username !== undefined && a.password !== undefined) {
    return { auth: { type: 'basic', username: a.username, password: a.password } };
  }
  return {};
}

/**
 * Where narrative log patterns come from: Loki when `signals.loki_url` is set, else the monitored
 * server's JSON log (`copilot.log_file`, or the local stack's log in the state dir). `startAt:
 * 'end'` makes a long-running watcher skip what the file held before it started.
 */
export function logSourceFor(
  config: HeadwayConfig,
  options: { startAt?: 'start' | 'end' } = {},
): LogSource {
  const { loki_url: lokiUrl, loki_auth: a } = config.signals;
  if (lokiUrl !== undefined) {
    return new LokiSource({ baseUrl: lokiUrl, ...lokiAuth(a) });
  }
  return new JsonLogFileSource({
    // Same path as stack/state.ts's serviceLog; not imported, as signals/ sits below stack/. On
    // the cluster profile the narrative patterns (shards, persistence, membership) are history's.
    file:
      config.copilot.log_file ??
      join(
        config.state_dir,
        'logs',
        config.stack.profile === 'cluster' ? 'temporal-history-0.log' : 'temporal-monitored.log',
      ),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
  });
}
