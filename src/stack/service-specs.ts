import { fileURLToPath } from 'node:url';

import type { HeadwayConfig, TemporalServerConfig } from '../config/schema.js';
import { isPrometheusReady } from '../signals/prometheus-client.js';
import { nodeSettingsFor } from '../os/node-settings.js';
import { LOOPBACK } from '../os/ports.js';
import { devServerSqliteArgs } from '../temporal/dev-server.js';
import { isTemporalServing } from '../temporal/reachability.js';

import { STACK_CONFIG_FILE_ENV, copilotApiUrl } from './stack-config.js';
import type { ServiceName, StateLayout } from './state.js';

export interface Endpoint {
  readonly label: string;
  readonly value: string;
}

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The child's whole environment; the supervisor's own when undefined. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logFile: string;
  readonly ports: Readonly<Record<string, number>>;
  /** The one URL a person opens for this service. */
  readonly url: string;
  readonly endpoints: readonly Endpoint[];
  /** Resolves true when the service answers as ready. Never throws. */
  probe(timeoutMs: number): Promise<boolean>;
  /** The signal that asks it to stop (SIGTERM when unset). */
  readonly stopSignal?: NodeJS.Signals;
  /** Stopped only once every other service has stopped (a database its clients need). */
  readonly stopAfterOthers?: boolean;
}

export interface StackBinaries {
  readonly temporal: string;
  readonly prometheus: string;
  /** The cluster profile's (temporal-server, temporal-sql-tool, temporal-ui-server). */
  readonly cluster?: {
    readonly server: string;
    readonly sqlTool: string;
    readonly uiServer: string;
  };
}

export function temporalAddress(server: TemporalServerConfig): string {
  return `${LOOPBACK}:${server.grpc_port}`;
}

export function prometheusUrl(config: HeadwayConfig): string {
  return `http://${LOOPBACK}:${config.stack.prometheus.port}`;
}

export function metricsUrl(server: TemporalServerConfig): string {
  return `http://${LOOPBACK}:${server.metrics_port}/metrics`;
}

/** The services of the local stack, in start order. */
export function stackServices(
  config: HeadwayConfig,
  binaries: StackBinaries,
  layout: StateLayout,
): ServiceSpec[] {
  // With the cluster profile the monitored cluster is started before these (stack/cluster/).
  return [
    ...(config.stack.profile === 'dev'
      ? [temporalService('temporal-monitored', config.stack.monitored, binaries.temporal, layout)]
      : []),
    temporalService('temporal-copilot', config.stack.copilot, binaries.temporal, layout),
    prometheusService(config, binaries.prometheus, layout),
  ];
}

/** `temporal server start-dev` arguments for one server of the stack, its database at `dbFile`. */
export function devServerArgs(server: TemporalServerConfig, dbFile: string): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    LOOPBACK,
    '--port',
    String(server.grpc_port),
    '--http-port',
    String(server.http_port),
    '--metrics-port',
    String(server.metrics_port),
    ...(server.ui ? ['--ui-port', String(server.ui_port)] : ['--headless']),
    '--db-filename',
    dbFile,
    ...devServerSqliteArgs(),
    // JSON lines, so the copilot's log watcher parses fields instead of guessing at text.
    '--log-format',
    'json',
    '--log-level',
    server.log_level,
    ...server.namespaces.flatMap((ns) => ['--namespace', ns]),
  ];
}

export function temporalService(
  name: ServiceName,
  server: TemporalServerConfig,
  binary: string,
  layout: StateLayout,
): ServiceSpec {
  const dataDir = layout.serviceData(name);
  const args = devServerArgs(server, `${dataDir}/temporal.db`);
  const address = temporalAddress(server);
  const uiUrl = `http://${LOOPBACK}:${server.ui_port}`;
  const metrics = metricsUrl(server);
  return {
    name,
    command: binary,
    args,
    cwd: dataDir,
    logFile: layout.serviceLog(name),
    ports: {
      grpc: server.grpc_port,
      http: server.http_port,
      metrics: server.metrics_port,
      ...(server.ui ? { ui: server.ui_port } : {}),
    },
    url: server.ui ? uiUrl : `grpc://${address}`,
    endpoints: [
      { label: 'gRPC', value: address },
      ...(server.ui ? [{ label: 'UI', value: uiUrl }] : []),
      { label: 'metrics', value: metrics },
    ],
    async probe(timeoutMs) {
      const [serving, scrapeable] = await Promise.all([
        isTemporalServing(address, timeoutMs),
        isHttpOk(metrics, timeoutMs),
      ]);
      return serving && scrapeable;
    },
  };
}

/** The command line after `headway` that runs the copilot. */
const COPILOT_RUN = ['copilot', 'run'];

/** The CLI entry point, run with this Node for the copilot child. */
const HEADWAY_BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

/**
 * The copilot: its worker, JSON API and workflows in one process (`headway copilot run`), started
 * once the servers and Prometheus are ready. Ready when `/healthz` answers 200 (store open).
 */
export function copilotService(config: HeadwayConfig, layout: StateLayout): ServiceSpec {
  const url = copilotApiUrl(config);
  const token = config.copilot.api.token;
  const settings = nodeSettingsFor(COPILOT_RUN, process.env);
  return {
    name: 'copilot',
    command: process.execPath,
    // The copilot's memory settings (V8 flags, malloc arenas) given here, so bin/headway.js runs
    // the command in this process instead of handing it to a second one.
    args: [...settings.flags, HEADWAY_BIN, ...COPILOT_RUN],
    cwd: layout.root,
    env: {
      ...settings.env,
      ...process.env,
      // writeStackConfig puts it there before the stack starts the copilot.
      [STACK_CONFIG_FILE_ENV]: layout.copilotConfig,
    },
    logFile: layout.serviceLog('copilot'),
    ports: { api: config.copilot.api.port },
    url,
    endpoints: [
      { label: 'API', value: `${url}/status` },
      { label: 'metrics', value: `${url}/metrics` },
    ],
    probe: (timeoutMs) =>
      isHttpOk(
        `${url}/healthz`,
        timeoutMs,
        token === undefined ? {} : { authorization: `Bearer ${token}` },
      ),
  };
}

function prometheusService(
  config: HeadwayConfig,
  binary: string,
  layout: StateLayout,
): ServiceSpec {
  const { port, retention } = config.stack.prometheus;
  const url = prometheusUrl(config);
  return {
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${layout.prometheusConfig}`,
      `--storage.tsdb.path=${layout.prometheusData}`,
      `--storage.tsdb.retention.time=${retention}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      // No --web.enable-lifecycle: any web page could POST /-/quit to it. Targets are file-based
      // and picked up without a reload.
      '--log.format=json',
    ],
    cwd: layout.root,
    logFile: layout.serviceLog('prometheus'),
    ports: { http: port },
    url,
    endpoints: [{ label: 'web', value: url }],
    probe: (timeoutMs) => isPrometheusReady(url, { timeoutMs }),
  };
}

export async function isHttpOk(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<boolean> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
