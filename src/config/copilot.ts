import { z } from 'zod';

import { ThresholdOverridesSchema } from '../health/thresholds.js';

/**
 * The `copilot:` and `store:` sections of `headway.yml`: where the copilot's own workflows run, how
 * often it observes, where its JSON API listens, and where assessments are kept. Secrets (the API
 * token, a store URL with a password) are best given through the environment.
 */

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const address = z
  .string()
  .regex(
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/,
    'must be host:port, for example 127.0.0.1:7234',
  );

const name = (what: string) =>
  z.string().min(1, `${what} must not be empty`).regex(/^\S+$/, `${what} must not contain spaces`);

const seconds = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(min, `must be at least ${String(min)} s`)
    .max(max, `must be at most ${String(max)} s`)
    .default(fallback);

/** A comma-separated list in the environment, a YAML list in the file. */
const stringList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : v,
  z.array(z.string().min(1)),
);

/** Only http(s): a `file:` or `javascript:` URL is never a webhook. */
const webhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const clusterName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores');

const alertsSchema = z.strictObject({
  webhooks: stringList.pipe(z.array(webhookUrl)).default([]),
  slack_webhooks: stringList.pipe(z.array(webhookUrl)).default([]),
  /** Attempts per message before giving up (retried with exponential backoff). */
  max_attempts: z.coerce.number().int().min(1).max(20).default(5),
});

/**
 * One monitored cluster of `copilot.clusters`. Unset fields come from the shared sections
 * (`signals.*`, `copilot.alerts`), except the log source: a cluster other than the first reads no
 * log unless it names its own `loki_url` or `log_file`, so it never reads another cluster's logs.
 */
export const ClusterEntrySchema = z.strictObject({
  /** Names the cluster in workflow ids, stored rows, `?cluster=` and `headway status --cluster`. */
  name: clusterName,
  /** The cluster's Temporal frontend and namespace, as shown by `/clusters`. */
  temporal: z
    .strictObject({
      address: address.optional(),
      namespace: name('namespace').default('default'),
    })
    .prefault({}),
  /** Its Prometheus; default `signals.prometheus_url` (then the local stack's). */
  prometheus_url: z.url().optional(),
  /** Label matchers of its server series, e.g. `job="temporal-east"`; default `signals.server_selector`. */
  server_selector: z.string().min(1).optional(),
  worker_selector: z.string().min(1).optional(),
  loki_url: z.url().optional(),
  log_file: z.string().min(1).optional(),
  /** Its threshold overrides; default `signals.thresholds`. */
  thresholds: ThresholdOverridesSchema.optional(),
  /** Its alert routes; default `copilot.alerts`. */
  alerts: alertsSchema.optional(),
});
export type ClusterEntry = z.infer<typeof ClusterEntrySchema>;

export const CopilotSectionSchema = z
  .strictObject({
    /** The copilot cluster's frontend; unset → the local stack's copilot server. */
    address: address.optional(),
    namespace: name('namespace').default('default'),
    task_queue: name('task queue').default('headway-copilot'),
    /** The monitored cluster's name when `clusters` is not set (workflow ids, stored rows). */
    cluster_id: clusterName.default('local'),
    /** Seconds between observations. */
    cadence_s: seconds(1, 3600, 30),
    /** Observation cycles per workflow run before it continues as new (bounds its history). */
    cycles_per_run: z.coerce.number().int().min(2).max(10_000).default(100),
    /** Seconds between scheduled assessments. */
    scheduled_interval_s: seconds(10, 86_400, 300),
    /** Log file read for narrative patterns when no Loki URL is set; default: the local server's. */
    log_file: z.string().min(1).optional(),
    /**
     * Webhooks told of every state change: generic JSON, and Slack-compatible (`{ text }`).
     * Their URLs are secrets (Slack's are bearer credentials): they stay in the worker's config and
     * never enter workflow history or logs.
     */
    alerts: alertsSchema.prefault({}),
    /**
     * The clusters this copilot watches; the first is the default (today's paths and ids).
     * Unset: one cluster named `cluster_id`, read with `signals.*`, as before clusters.
     */
    clusters: z
      .array(ClusterEntrySchema)
      .min(1, 'must list at least one cluster (or be left out)')
      .max(32, 'at most 32 clusters per copilot')
      .superRefine((clusters, ctx) => {
        const seen = new Set<string>();
        clusters.forEach((c, i) => {
          if (seen.has(c.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `cluster ${c.name} is listed twice; every cluster needs its own name`,
            });
          }
          seen.add(c.name);
        });
      })
      .optional(),
    api: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8081),
        /** When set, every route needs `Authorization: Bearer <token>`. */
        token: z.string().min(16, 'must be at least 16 characters').optional(),
        /**
         * Origins allowed by CORS (`*` for any). Empty: no CORS header at all, so no web page can
         * read the API, on loopback or beyond, unless the operator lists its origin.
         */
        cors_origins: stringList.default([]),
        /**
         * Host names (besides IP literals, loopback names and the bind address) that requests may
         * carry in their Host header: anything else is refused, which defeats DNS rebinding.
         */
        allowed_hosts: stringList.default([]),
      })
      .prefault({}),
  })
  .prefault({});

export const StoreSectionSchema = z
  .strictObject({
    /**
     * `postgres://user:pass@host:5432/db` for PostgreSQL; unset → PGlite in STATE_DIR/store
     * (or `dsql.endpoint` for Aurora DSQL).
     */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /** PGlite data directory; default STATE_DIR/store. */
    pglite_dir: z.string().min(1).optional(),
    /** Snapshots and assessments older than this are pruned. */
    retention_days: z.coerce.number().min(1).max(3650).default(7),
    dsql: z
      .strictObject({
        /** Cluster endpoint, e.g. abc123.dsql.us-east-1.on.aws. */
        endpoint: z.string().min(1).optional(),
        region: z.string().min(1).optional(),
        database: z.string().min(1).default('postgres'),
        user: z.string().min(1).default('admin'),
      })
      .prefault({})
      .refine((d) => d.endpoint === undefined || d.region !== undefined, {
        message: 'dsql.endpoint needs dsql.region (or HEADWAY_DSQL_REGION)',
        path: ['region'],
      }),
  })
  .prefault({})
  .refine((s) => s.url === undefined || s.dsql.endpoint === undefined, {
    message: 'set either store.url (PostgreSQL) or store.dsql.endpoint (Aurora DSQL), not both',
  });

export type CopilotConfig = z.infer<typeof CopilotSectionSchema>;
export type StoreConfig = z.infer<typeof StoreSectionSchema>;
