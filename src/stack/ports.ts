import { createServer } from 'node:net';

import { ErrorCode, HeadwayError } from '../errors.js';

const LOOPBACK = '127.0.0.1';

/** True when nothing listens on 127.0.0.1:port (checked by binding it briefly). */
export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Fails with one error naming every busy port, before anything is started, so a clash never
 * leaves a half-started stack behind.
 */
export async function assertPortsFree(
  ports: readonly (readonly [string, number])[],
): Promise<void> {
  const busy: string[] = [];
  for (const [label, port] of ports) {
    if (!(await isPortFree(port))) busy.push(`${label}: ${LOOPBACK}:${port} is in use`);
  }
  if (busy.length > 0) {
    throw new HeadwayError(
      ErrorCode.PortInUse,
      busy.length === 1
        ? 'a port Headway needs is in use'
        : `${busy.length} ports Headway needs are in use`,
      {
        details: busy,
        hint:
          'stop whatever listens there (see `ss -ltnp`), or move Headway: --temporal-port / ' +
          '--prometheus-port, HEADWAY_*_PORT variables, or stack.* ports in headway.yml',
      },
    );
  }
}

/**
 * Returns `count` distinct free ports. All sockets stay open until every port is chosen, so the
 * same port is never handed out twice; another process could still take one before it is used.
 */
export async function findFreePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ port: 0, host }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The port variables of one local stack, in the order `freeStackPorts` hands them out. */
export const STACK_PORT_VARS = [
  'HEADWAY_MONITORED_GRPC_PORT',
  'HEADWAY_MONITORED_UI_PORT',
  'HEADWAY_MONITORED_HTTP_PORT',
  'HEADWAY_MONITORED_METRICS_PORT',
  'HEADWAY_COPILOT_GRPC_PORT',
  'HEADWAY_COPILOT_UI_PORT',
  'HEADWAY_COPILOT_HTTP_PORT',
  'HEADWAY_COPILOT_METRICS_PORT',
  'HEADWAY_PROMETHEUS_PORT',
  'HEADWAY_API_PORT',
] as const;

export interface StackPorts {
  /** Environment that puts a whole stack on these ports (merge it over process.env). */
  readonly env: Record<(typeof STACK_PORT_VARS)[number], string>;
  /** The ports, in STACK_PORT_VARS order. */
  readonly ports: readonly number[];
  readonly temporalAddress: string;
  readonly prometheusUrl: string;
  /** The copilot API, `http://127.0.0.1:port`. */
  readonly apiUrl: string;
}

/**
 * Free loopback ports for every service of one stack, for tests and benchmarks that run a stack
 * beside any other (`headway up` with these variables set).
 */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = await findFreePorts(STACK_PORT_VARS.length);
  const env = Object.fromEntries(
    STACK_PORT_VARS.map((name, i) => [name, String(ports[i])]),
  ) as StackPorts['env'];
  return {
    env,
    ports,
    temporalAddress: `127.0.0.1:${ports[0]}`,
    prometheusUrl: `http://127.0.0.1:${ports[8]}`,
    apiUrl: `http://127.0.0.1:${ports[9]}`,
  };
}
