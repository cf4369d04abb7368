/**
 * What `headway render` deploys: the cluster profile's topology (src/topology, the model
 * `headway up --profile cluster` runs) plus what only a deployment has — images, where the
 * database is, the metrics pipeline, Grafana, the copilot and optional benchmark workers. Pure: zod
 * and types only. Secrets are never values here: only the names of variables, Secrets or ARNs that
 * hold them.
 */
import { z } from 'zod';

import { TEMPORAL_CLI_VERSION } from '../config/schema.js';
import {
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  TopologySchema,
  type TemporalRole,
} from '../topology/model.js';

/** A name that works as a Compose project, a Kubernetes label value and an AWS resource prefix. */
const resourceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,29}$/, 'must be lowercase letters, digits and dashes, at most 30');

const image = z.string().regex(/^[a-z0-9][a-z0-9._/:@-]*$/, 'must be an image reference');

/** Headway's own image (Dockerfile at the repository root), tagged with the package version. */
export const HEADWAY_IMAGE = 'headway:0.1.0';

const Images = z
  .strictObject({
    /** Has temporal-server at /usr/local/bin and the server's config templating. */
    server: image.default(`temporalio/server:${TEMPORAL_SERVER_VERSION}`),
    /** Has temporal-sql-tool; runs the schema job. */
    admin_tools: image.default(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`),
    ui: image.default(`temporalio/ui:${TEMPORAL_UI_VERSION}`),
    /** The copilot, its API, its small Temporal (CLI v`TEMPORAL_CLI_VERSION`) and the benchmark. */
    headway: image.default(HEADWAY_IMAGE),
    postgres: image.default('postgres:17.6'),
    prometheus: image.default('prom/prometheus:v3.5.0'),
    grafana: image.default('grafana/grafana:12.1.1'),
  })
  .prefault({});

/**
 * Aurora DSQL for the default store (ECS only: it needs a Temporal build with the DSQL plugin, the
 * `iw/temporal` fork, and IAM credentials; nothing runs it locally). Reservoir settings as the
 * plugin documents them (`000_*`, "Connection Reservoir").
 */
const DsqlDatabase = z.strictObject({
  kind: z.literal('dsql'),
  endpoint: z
    .string()
    .regex(/^[a-z0-9]+\.dsql\.[a-z0-9-]+\.on\.aws$/, 'must be <id>.dsql.<region>.on.aws'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  /** The ARN `dsql:DbConnectAdmin` is granted on. */
  cluster_arn: z.string().startsWith('arn:aws:dsql:'),
  user: z.string().min(1).default('admin'),
  /**
   * Visibility stays on PostgreSQL (the topology's visibility database): the seeds pair DSQL with
   * Elasticsearch/OpenSearch, and Headway keeps SQL visibility rather than add a search cluster.
   */
  visibility_host: z.string().min(1),
  visibility_port: z.coerce.number().int().min(1).max(65535).default(5432),
  /** IAM tokens as the password; DSQL accepts nothing else. */
  iam_auth: z.literal(true).default(true),
  /** Per instance; the plugin's local limiter (ECS module default 8/s, burst 40). */
  connection_rate_limit: z.coerce.number().int().min(1).max(100).default(8),
  connection_burst_limit: z.coerce.number().int().min(1).max(1000).default(40),
  reservoir: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Connections kept ready per pool; `000_*` matches it to max_conns (50). */
      target_ready: z.coerce.number().int().min(1).max(1000).default(50),
      base_lifetime: z
        .string()
        .regex(/^\d+[sm]$/)
        .default('11m'),
      lifetime_jitter: z
        .string()
        .regex(/^\d+[sm]$/)
        .default('2m'),
      guard_window: z
        .string()
        .regex(/^\d+[sm]$/)
        .default('45s'),
    })
    .prefault({}),
});

const PostgresDatabase = z.strictObject({
  kind: z.literal('postgres'),
  /**
   * An existing server (RDS, Cloud SQL, Render PostgreSQL). Unset: Compose and Helm run their own
   * PostgreSQL container; ECS and Render need one.
   */
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).default(5432),
});

const Metrics = z.discriminatedUnion('kind', [
  /** A Prometheus beside the cluster scrapes every instance (Compose, Helm, Render). */
  z.strictObject({ kind: z.literal('prometheus') }),
  /** ECS: a Prometheus agent sidecar per task remote-writes to Amazon Managed Prometheus (SigV4). */
  z.strictObject({
    kind: z.literal('amp'),
    region: z.string().min(1),
    /** `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/`; ends with a slash. */
    workspace_url: z.url().endsWith('/'),
  }),
]);

const CopilotTemporal = z.discriminatedUnion('kind', [
  /** `temporal server start-dev` from the Headway image, beside the copilot (as `headway up`). */
  z.strictObject({ kind: z.literal('own') }),
  /** A Temporal Cloud namespace; the API key comes from a secret. */
  z.strictObject({
    kind: z.literal('cloud'),
    address: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'),
    namespace: z.string().min(1),
  }),
]);

export const DeploySchema = z.strictObject({
  name: resourceName.default('headway'),
  topology: TopologySchema.prefault({}),
  images: Images,
  database: z
    .discriminatedUnion('kind', [PostgresDatabase, DsqlDatabase])
    .prefault({ kind: 'postgres' }),
  metrics: Metrics.prefault({ kind: 'prometheus' }),
  grafana: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  copilot: z
    .strictObject({
      enabled: z.boolean().default(true),
      temporal: CopilotTemporal.prefault({ kind: 'own' }),
      /** Names the monitored cluster in the copilot's workflow ids. */
      cluster_id: resourceName.default('production'),
      /** An LLM explains assessments when a key is configured (docs/llm.md); optional. */
      llm_provider: z.enum(['anthropic', 'bedrock', 'openai-compatible']).optional(),
    })
    .prefault({}),
  /** `headway bench run --worker-only` replicas on the benchmark task queue; 0 renders none. */
  bench: z
    .strictObject({
      replicas: z.coerce.number().int().min(0).max(500).default(0),
      /** In-process workers per replica (`--workers`). */
      workers_per_replica: z.coerce.number().int().min(1).max(64).default(4),
      /** Registered once by hand (docs/deploy.md); the generator and the workers meet there. */
      namespace: z.string().min(1).default('bench'),
      task_queue: z.string().min(1).default('headway-bench'),
    })
    .prefault({}),
});
export type Deploy = z.infer<typeof DeploySchema>;
export type DsqlDatabase = z.infer<typeof DsqlDatabase>;

/** The Temporal CLI the Headway image carries for the copilot's own small Temporal. */
export const COPILOT_TEMPORAL_CLI_VERSION = TEMPORAL_CLI_VERSION;

/**
 * Ports inside a container: every instance has its own network namespace, so each role keeps
 * Temporal's conventional ports (the cluster profile, all on one host, numbers them instead).
 */
export const CONTAINER_PORTS: Readonly<
  Record<TemporalRole, { grpc: number; membership: number; http?: number }>
> = {
  frontend: { grpc: 7233, membership: 6933, http: 7243 },
  history: { grpc: 7234, membership: 6934 },
  matching: { grpc: 7235, membership: 6935 },
  worker: { grpc: 7239, membership: 6939 },
};
export const METRICS_PORT = 9090;
export const UI_PORT = 8080;
export const COPILOT_API_PORT = 8081;
export const GRAFANA_PORT = 3000;
export const PROMETHEUS_PORT = 9090;

/** Where every container finds its config: the same paths on every target. */
export const CONFIG_ROOT = '/etc/headway';
export const STATIC_CONFIG_DIR = `${CONFIG_ROOT}/temporal`;
export const DYNAMIC_CONFIG_DIR = `${CONFIG_ROOT}/dynamicconfig`;
export const DYNAMIC_CONFIG_FILE = `${DYNAMIC_CONFIG_DIR}/dynamicconfig.yaml`;

/**
 * The names of the secrets a deployment needs. Renders refer to them (a variable, a Secret key, an
 * ARN); no render ever contains a value.
 */
export const SECRET_ENV = {
  postgresPassword: 'POSTGRES_PASSWORD',
  storeUrl: 'HEADWAY_STORE_URL',
  apiToken: 'HEADWAY_API_TOKEN',
  llmApiKey: 'HEADWAY_LLM_API_KEY',
  grafanaAdminPassword: 'GF_SECURITY_ADMIN_PASSWORD',
  copilotTemporalApiKey: 'TEMPORAL_API_KEY',
} as const;
