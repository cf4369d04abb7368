import { pino } from 'pino';

import type { TemporalConnectionConfig } from '../../src/config/temporal.js';
import { HeadwayError } from '../../src/errors.js';
import { stateLayout } from '../../src/stack/state.js';
import { findFreePorts } from '../../src/os/ports.js';
import { metricsUrl, temporalAddress, temporalService } from '../../src/stack/service-specs.js';
import { Supervisor } from '../../src/stack/supervisor.js';

import { testBinaries } from './binaries.js';
import { makeTempDir } from './temp-dir.js';

export interface DevServer {
  /** host:port of the frontend gRPC endpoint. */
  readonly address: string;
  readonly metricsUrl: string;
  readonly namespace: string;
  readonly logFile: string;
  /** Stops the server and deletes its files. */
  readonly stop: () => Promise<void>;
}

export interface DevServerOptions {
  /** Extra namespaces to create at start. */
  readonly namespaces?: readonly string[];
  readonly ui?: boolean;
  /** Server settings (`--dynamic-config-value KEY=VALUE`), e.g. low history limits. */
  readonly dynamicConfig?: Readonly<Record<string, number | string | boolean>>;
}

/**
 * Starts a real Temporal dev server (the same binary and flags as `headway up`'s monitored server)
 * on free loopback ports, with its own SQLite file, and waits for a gRPC health check to pass.
 * For any suite that needs a Temporal server but not the whole stack.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // Free ports are picked, then bound by the server: another process on this machine can take
      // one in between. Only that race is tried again; any other failure is the test's to report.
      const said = err instanceof HeadwayError ? err.details.join('\n') : '';
      if (attempt < 3 && /address already in use/i.test(said)) continue;
      // The server's own last lines, which a test runner does not print from the error's details.
      if (said !== '' && err instanceof Error) err.message += `\n${said}`;
      throw err;
    }
  }
}

async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const { temporal } = await testBinaries();
  const dir = makeTempDir('headway-dev-server-');
  const [grpc, http, metrics, ui] = await findFreePorts(4);
  const server = {
    grpc_port: grpc!,
    http_port: http!,
    metrics_port: metrics!,
    ui_port: ui!,
    ui: options.ui ?? false,
    log_level: 'warn' as const,
    namespaces: [...(options.namespaces ?? [])],
  };
  const base = temporalService('temporal-monitored', server, temporal, stateLayout(dir.path));
  const spec = {
    ...base,
    args: [
      ...base.args,
      ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
    ],
  };
  const supervisor = new Supervisor({ logger: pino({ level: 'silent' }) });
  try {
    await supervisor.startAll([spec], Date.now() + 60_000, () => undefined);
  } catch (err) {
    dir.remove();
    throw err;
  }
  return {
    address: temporalAddress(server),
    metricsUrl: metricsUrl(server),
    namespace: 'default',
    logFile: spec.logFile,
    stop: async () => {
      await supervisor.stopAll();
      dir.remove();
    },
  };
}

/** The connection settings of `server` for `namespace` (the server's own by default). */
export function connectionConfig(
  server: DevServer,
  namespace = server.namespace,
): TemporalConnectionConfig {
  return {
    address: server.address,
    namespace,
    connectTimeoutMs: 5_000,
    apiKey: undefined,
    tls: undefined,
    metadata: undefined,
  };
}
