import { z } from 'zod';

import { CopilotSectionSchema, StoreSectionSchema } from './copilot.js';
import { ExplainSectionSchema } from './explain.js';
import { SignalsConfigSchema } from './signals.js';
import { TemporalSectionSchema, WorkerSectionSchema } from './temporal.js';
import { ClusterSectionSchema, clusterPorts } from './cluster.js';

/** Versions Headway pins. The CLI version is the newest tag `go install` accepts (no replace directive). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
/** Used only for the release-download step; a Prometheus found on PATH may be any 2.x or 3.x. */
export const PROMETHEUS_VERSION = '2.53.5';

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** A Prometheus-style duration: 500ms, 5s, 1m, 7d. */
const duration = z
  .string()
  .regex(/^[0-9]+(ms|s|m|h|d|w|y)$/, 'must be a duration such as 5s, 1m or 7d');

const logLevel = z.enum(['debug', 'info', 'warn', 'error']);

const temporalServer = (defaults: {
  grpc_port: number;
  ui_port: number;
  http_port: number;
  metrics_port: number;
  log_level: z.infer<typeof logLevel>;
}) =>
  z
    .strictObject({
      grpc_port: port.default(defaults.grpc_port),
      ui_port: port.default(defaults.ui_port),
      http_port: port.default(defaults.http_port),
      metrics_port: port.default(defaults.metrics_port),
      ui: z.boolean().default(true),
      log_level: logLevel.default(defaults.log_level),
      /** Extra namespaces created at start (`default` always exists). */
      namespaces: z.array(z.string().min(1)).default([]),
    })
    .prefault({});

export const HeadwayConfigSchema = z
  .strictObject({
    /** Where the local stack keeps its databases, logs, Prometheus data and pid records. */
    state_dir: z.string().min(1),
    /** Where downloaded or built binaries are cached (outside the repository). */
    cache_dir: z.string().min(1),
    /** The copilot's log level (`headway copilot …`; other commands keep their own). */
    log_level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      .default('info'),
    toolchain: z
      .strictObject({
        temporal_bin: z.string().min(1).optional(),
        prometheus_bin: z.string().min(1).optional(),
        /** The cluster profile's binaries (docs/cluster.md); found or built like the CLI. */
        temporal_server_bin: z.string().min(1).optional(),
        temporal_sql_tool_bin: z.string().min(1).optional(),
        temporal_ui_server_bin: z.string().min(1).optional(),
        /** Go toolchain used to build the Temporal CLI when no release can be downloaded. */
        go_bin: z.string().min(1).optional(),
        /** Base URL for release downloads (a mirror); GitHub by default. */
        release_base_url: z.url().optional(),
      })
      .prefault({}),
    stack: z
      .strictObject({
        /**
         * `dev`: the monitored cluster is `temporal server start-dev` (one process, SQLite).
         * `cluster`: frontend, history, matching and worker services on PostgreSQL (cluster.ts).
         */
        profile: z.enum(['dev', 'cluster']).default('dev'),
        cluster: ClusterSectionSchema,
        monitored: temporalServer({
          grpc_port: 7233,
          ui_port: 8233,
          http_port: 7243,
          metrics_port: 9233,
          log_level: 'info',
        }),
        copilot: temporalServer({
          grpc_port: 7234,
          ui_port: 8234,
          http_port: 7244,
          metrics_port: 9234,
          log_level: 'warn',
        }),
        prometheus: z
          .strictObject({
            port: port.default(9090),
            scrape_interval: duration.default('5s'),
            retention: duration.default('7d'),
          })
          .prefault({}),
        /** Seconds `up` waits for every service to be ready before it gives up and cleans up. */
        ready_timeout_s: z.coerce.number().int().min(5).max(3600).default(90),
      })
      .prefault({}),
    /** Connection to the cluster application workflows run on (src/config/temporal.ts). */
    temporal: TemporalSectionSchema,
    /** The sample worker (`headway worker`). */
    worker: WorkerSectionSchema,
    /** How signals are collected: Prometheus, selectors, auth, Loki, threshold overrides. */
    signals: SignalsConfigSchema,
    /** The copilot: its cluster, cadence and JSON API (src/config/copilot.ts). */
    copilot: CopilotSectionSchema,
    /** Where assessments and snapshots are kept: PGlite (default), PostgreSQL or Aurora DSQL. */
    store: StoreSectionSchema,
    /** The optional LLM explainer: provider, model, budget (src/config/explain.ts, docs/llm.md). */
    explain: ExplainSectionSchema,
  })
  .superRefine((config, ctx) => {
    const seen = new Map<number, string>();
    for (const [name, p] of listPorts(config)) {
      const other = seen.get(p);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `port ${p} is used by both ${other} and ${name}; every service needs its own port`,
          path: ['stack'],
        });
      } else {
        seen.set(p, name);
      }
    }
  });

export type HeadwayConfig = z.infer<typeof HeadwayConfigSchema>;
export type TemporalServerConfig = HeadwayConfig['stack']['monitored'];

/** Every port the local stack binds, named for error messages. */
export function listPorts(config: Pick<HeadwayConfig, 'stack' | 'copilot'>): [string, number][] {
  const { monitored, copilot, prometheus } = config.stack;
  if (config.stack.profile === 'cluster') {
    return [
      ...clusterPorts(config.stack.cluster, monitored),
      [`temporal-copilot gRPC`, copilot.grpc_port],
      [`temporal-copilot HTTP`, copilot.http_port],
      [`temporal-copilot metrics`, copilot.metrics_port],
      ...(copilot.ui ? ([[`temporal-copilot UI`, copilot.ui_port]] as [string, number][]) : []),
      ['prometheus', prometheus.port],
      ['copilot api', config.copilot.api.port],
    ];
  }
  const server = (label: string, s: TemporalServerConfig): [string, number][] => [
    [`${label} gRPC`, s.grpc_port],
    [`${label} HTTP`, s.http_port],
    [`${label} metrics`, s.metrics_port],
    ...(s.ui ? ([[`${label} UI`, s.ui_port]] as [string, number][]) : []),
  ];
  return [
    ...server('temporal-monitored', monitored),
    ...server('temporal-copilot', copilot),
    ['prometheus', prometheus.port],
    ['copilot api', config.copilot.api.port],
  ];
}
