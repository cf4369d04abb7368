/**
 * `stack.cluster`: the cluster profile's topology (src/topology/model.ts), its PostgreSQL, and where
 * each service instance listens on this machine.
 */
import { z } from 'zod';

import { instancesOf, TopologySchema, type TemporalRole } from '../topology/model.js';

const port = z.coerce.number().int().min(1).max(65535);

/** Temporal records each instance's membership port in a PostgreSQL `smallint` column. */
export const MAX_MEMBERSHIP_PORT = 32_767;

export const ClusterSectionSchema = z
  .strictObject({
    topology: TopologySchema.prefault({}),
    /**
     * First of the ports the service instances take on 127.0.0.1: each instance gets four
     * consecutive ones (gRPC, membership, metrics, and HTTP for a frontend). The frontend's gRPC, HTTP and metrics ports and
     * the UI keep the dev profile's (`stack.monitored`), so clients need no change.
     */
    base_port: port.default(7300),
    postgres: z
      .strictObject({
        /** Port of the PostgreSQL Headway runs in the state dir. */
        port: port.default(5532),
        /**
         * An existing server instead: `postgres://user@host:port/` without a password (the
         * password comes from HEADWAY_CLUSTER_POSTGRES_PASSWORD or `password_file`).
         */
        url: z
          .url()
          .refine((u) => /^postgres(ql)?:/.test(u), 'must be a postgres:// URL')
          .refine(
            (u) => new URL(u).password === '',
            'must not contain a password; set HEADWAY_CLUSTER_POSTGRES_PASSWORD or postgres.password_file',
          )
          .optional(),
        password_file: z.string().min(1).optional(),
        /** Directory holding initdb, pg_ctl and postgres; found on the machine when unset. */
        bin_dir: z.string().min(1).optional(),
      })
      .prefault({}),
    /** The Web UI server against the cluster's frontend. */
    ui: z.boolean().default(true),
  })
  .superRefine((cluster, ctx) => {
    const last = cluster.base_port + 4 * instancesOf(cluster.topology).length - 1;
    if (last > MAX_MEMBERSHIP_PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_port'],
        message:
          `the instances would take ports up to ${String(last)}; Temporal stores membership ports ` +
          `as a smallint, so they must stay at or below ${String(MAX_MEMBERSHIP_PORT)}: lower base_port`,
      });
    }
  })
  .prefault({});
export type ClusterSection = z.infer<typeof ClusterSectionSchema>;

/** The ports the dev profile's monitored server would use; the frontend takes them over. */
export interface FrontendPorts {
  readonly grpc_port: number;
  readonly http_port: number;
  readonly metrics_port: number;
  readonly ui_port: number;
}

export interface InstancePorts {
  readonly role: TemporalRole;
  readonly index: number;
  /** `history-1`: unique within the cluster. */
  readonly id: string;
  readonly grpc: number;
  readonly membership: number;
  readonly metrics: number;
  readonly http?: number;
}

/** Every instance's ports on this machine, in start order. Pure. */
export function clusterInstances(
  cluster: ClusterSection,
  frontend: FrontendPorts,
): InstancePorts[] {
  return instancesOf(cluster.topology).map(({ role, index }, k) => {
    const base = cluster.base_port + 4 * k;
    const id = `${role}-${String(index)}`;
    if (role === 'frontend' && index === 0) {
      return {
        role,
        index,
        id,
        grpc: frontend.grpc_port,
        membership: base + 1,
        metrics: frontend.metrics_port,
        http: frontend.http_port,
      };
    }
    const http = role === 'frontend' ? { http: base + 3 } : {};
    return { role, index, id, grpc: base, membership: base + 1, metrics: base + 2, ...http };
  });
}

/** Every port the cluster profile binds (without the copilot's own server), named for errors. */
export function clusterPorts(cluster: ClusterSection, frontend: FrontendPorts): [string, number][] {
  const out: [string, number][] = [];
  for (const i of clusterInstances(cluster, frontend)) {
    out.push([`temporal-${i.id} gRPC`, i.grpc], [`temporal-${i.id} membership`, i.membership]);
    out.push([`temporal-${i.id} metrics`, i.metrics]);
    if (i.http !== undefined) out.push([`temporal-${i.id} HTTP`, i.http]);
  }
  if (cluster.ui) out.push(['temporal-ui', frontend.ui_port]);
  if (cluster.postgres.url === undefined) out.push(['postgres', cluster.postgres.port]);
  return out;
}
