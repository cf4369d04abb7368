import { ErrorCode, HeadwayError } from '../errors.js';
import { MAX_MEMBERSHIP_PORT } from '../config/cluster.js';
import { LOOPBACK, findFreePorts, isPortFree } from '../os/ports.js';

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

/**
 * A free block of `count` consecutive loopback ports (the cluster profile's instances take
 * `stack.cluster.base_port` onwards). Tried at random bases; the ports are only checked, not held.
 */
export async function findFreePortBlock(count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i += 1) {
    // Below 32768: Temporal stores membership ports as a PostgreSQL smallint.
    const base = 20_000 + Math.floor(Math.random() * (MAX_MEMBERSHIP_PORT - 20_000 - count));
    let free = true;
    for (let p = base; p < base + count && free; p += 1) free = await isPortFree(p);
    if (free) return base;
  }
  throw new HeadwayError(ErrorCode.PortInUse, `no ${String(count)} consecutive free ports found`);
}

/** Environment for a cluster-profile stack beside any other: free instance ports and PostgreSQL port. */
export async function freeClusterPorts(): Promise<Record<string, string>> {
  const [postgres] = await findFreePorts(1);
  return {
    HEADWAY_PROFILE: 'cluster',
    HEADWAY_CLUSTER_BASE_PORT: String(await findFreePortBlock(32)),
    HEADWAY_CLUSTER_POSTGRES_PORT: String(postgres),
  };
}
