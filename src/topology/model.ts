/**
 * The one description of a Temporal cluster that Headway runs locally (`up --profile cluster`) and
 * renders for Compose, Helm, ECS and Render. Every target reads this model, so what was tested
 * locally is what gets deployed. Pure: zod and types only.
 */
import { z } from 'zod';

/** Temporal server and Web UI versions Headway runs and renders (the CLI v1.5.1 embeds both). */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_UI_VERSION = '2.42.1';
/** Schema versions the 1.29.1 binaries expect (server module schema/postgresql/v12/version.go). */
export const SCHEMA_VERSIONS = { temporal: '1.18', visibility: '1.9' } as const;

/** The four Temporal services, in the order they start. */
export const TEMPORAL_ROLES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalRole = (typeof TEMPORAL_ROLES)[number];

const replicas = z.coerce.number().int().min(1).max(64);

const resources = z
  .strictObject({
    cpu: z.string().regex(/^[0-9]+(\.[0-9]+)?m?$/, 'must be a CPU quantity such as 500m or 2'),
    memory: z.string().regex(/^[0-9]+(Mi|Gi)$/, 'must be a memory quantity such as 512Mi or 2Gi'),
  })
  .partial();

const role = (defaults: { replicas: number; cpu: string; memory: string }) =>
  z
    .strictObject({
      replicas: replicas.default(defaults.replicas),
      resources: resources.default({ cpu: defaults.cpu, memory: defaults.memory }),
    })
    .prefault({});

const PostgresPersistence = z.strictObject({
  kind: z.literal('postgres'),
  /** Database names for the default store and for SQL advanced visibility. */
  database: z.string().min(1).default('temporal'),
  visibility_database: z.string().min(1).default('temporal_visibility'),
  user: z.string().min(1).default('temporal'),
  /** Connections per service instance to the default store. */
  max_conns: z.coerce.number().int().min(1).max(1000).default(20),
  visibility_max_conns: z.coerce.number().int().min(1).max(1000).default(10),
});

export const TopologySchema = z.strictObject({
  /** Fixed at creation: Temporal cannot change the shard count of an existing cluster. */
  num_history_shards: z.coerce.number().int().min(1).max(16384).default(4),
  services: z
    .strictObject({
      frontend: role({ replicas: 1, cpu: '500m', memory: '512Mi' }),
      history: role({ replicas: 2, cpu: '1', memory: '1Gi' }),
      matching: role({ replicas: 2, cpu: '500m', memory: '512Mi' }),
      worker: role({ replicas: 1, cpu: '250m', memory: '256Mi' }),
    })
    .prefault({}),
  persistence: PostgresPersistence.prefault({ kind: 'postgres' }),
  log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Dynamic config keys and values, merged over Headway's defaults (dynamic-config.ts). */
  dynamic_config: z.record(z.string().min(1), z.unknown()).default({}),
});
export type Topology = z.infer<typeof TopologySchema>;
export type PostgresPersistence = z.infer<typeof PostgresPersistence>;

/** `history-0`, `history-1`, …: the instances of every role, in start order. */
export function instancesOf(topology: Topology): { role: TemporalRole; index: number }[] {
  return TEMPORAL_ROLES.flatMap((r) =>
    Array.from({ length: topology.services[r].replicas }, (_, index) => ({ role: r, index })),
  );
}
