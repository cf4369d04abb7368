import { readFileSync } from 'node:fs';

import type { TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { TEMPORAL_ENV_KEYS } from './env-keys.js';

/**
 * The `temporal:` and `worker:` sections of `headway.yml`: how Headway connects to a Temporal
 * cluster to run and control application workflows (`headway worker`, `headway workflow …`), and how
 * its sample worker runs.
 *
 * Connection settings are layered, lowest first:
 *
 * 1. built-in defaults (`127.0.0.1:7233`, namespace `default`, no TLS);
 * 2. the Temporal SDK's own configuration, read by `@temporalio/envconfig`: a profile from
 *    `temporal.toml` (`TEMPORAL_CONFIG_FILE`, else `~/.config/temporalio/temporal.toml`; profile
 *    `TEMPORAL_PROFILE` or `temporal.profile`, else `default`) with the SDK's environment variables on
 *    top (`TEMPORAL_TLS_CLIENT_CERT_PATH`, `TEMPORAL_TLS_SERVER_NAME`, `TEMPORAL_GRPC_META_*`, …) —
 *    the same files and variables the `temporal` CLI reads;
 * 3. the `temporal:` section of `headway.yml`;
 * 4. `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_TASK_QUEUE`, `TEMPORAL_API_KEY`,
 *    `TEMPORAL_TLS`, `TEMPORAL_PROFILE`;
 * 5. command-line flags.
 *
 * The `temporal.address` and `temporal.namespace` keys therefore have no schema default: "not set"
 * must stay visible so that a `temporal.toml` profile can fill them.
 */

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** `host:port`, where host is a name, an IPv4 address or a bracketed IPv6 address. */
const address = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/, {
    message: 'must be host:port, for example 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233',
    abort: true,
  })
  .refine((value) => {
    const p = Number(value.slice(value.lastIndexOf(':') + 1));
    return p >= 1 && p <= 65535;
  }, 'the port must be between 1 and 65535');

const name = (what: string) =>
  z.string().min(1, `${what} must not be empty`).regex(/^\S+$/, `${what} must not contain spaces`);

const seconds = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(min, `must be at least ${min} s`)
    .max(max, `must be at most ${max} s`);

/** TLS with files; any key left out keeps the SDK profile's value (or the system roots). */
const TlsFilesSchema = z
  .strictObject({
    server_name: z.string().min(1).optional(),
    server_ca_cert_path: z.string().min(1).optional(),
    client_cert_path: z.string().min(1).optional(),
    client_key_path: z.string().min(1).optional(),
  })
  .refine(
    (t) => (t.client_cert_path === undefined) === (t.client_key_path === undefined),
    'client_cert_path and client_key_path must be given together (mTLS)',
  );

const TlsSchema = z.union([z.boolean(), z.stringbool(), TlsFilesSchema], {
  error:
    'must be true, false, or a mapping of server_name, server_ca_cert_path, client_cert_path, client_key_path',
});

export const TemporalSectionSchema = z
  .strictObject({
    /** Frontend gRPC address; unset → SDK profile → 127.0.0.1:7233 (the local stack). */
    address: address.optional(),
    namespace: name('namespace').optional(),
    task_queue: name('task queue').default('headway-samples'),
    /** `true` for TLS with the system roots (Temporal Cloud), or files for mTLS. */
    tls: TlsSchema.optional(),
    /** Temporal Cloud API key; implies TLS unless `tls: false`. Prefer `TEMPORAL_API_KEY`. */
    api_key: z.string().min(1).optional(),
    /** Profile of the SDK's `temporal.toml` to start from. */
    profile: name('profile').optional(),
    /** How long a command waits for the server before it reports TEMPORAL_UNAVAILABLE. */
    connect_timeout_s: seconds(1, 120).default(5),
    /** Defaults `headway workflow start` applies; a sample's input may override the activity ones. */
    timeouts: z
      .strictObject({
        /** Unset: no bound (Temporal's default), so a long-running workflow is not cut off. */
        workflow_execution_s: seconds(1, 315_360_000).optional(),
        workflow_run_s: seconds(1, 315_360_000).optional(),
        activity_start_to_close_s: seconds(0.1, 86_400).default(600),
        activity_schedule_to_close_s: seconds(0.1, 315_360_000).default(1_800),
        activity_heartbeat_s: seconds(0.1, 86_400).default(60),
      })
      .prefault({}),
    retry: z
      .strictObject({
        initial_interval_s: seconds(0.01, 86_400).default(1),
        backoff_coefficient: z.coerce.number().min(1).max(100).default(2),
        maximum_interval_s: seconds(0.01, 86_400).default(60),
        /** 0 means unlimited (bounded by the schedule-to-close timeout). */
        maximum_attempts: z.coerce.number().int().min(0).max(1_000).default(3),
      })
      .prefault({}),
  })
  .superRefine((t, ctx) => {
    if (t.timeouts.activity_schedule_to_close_s < t.timeouts.activity_start_to_close_s) {
      ctx.addIssue({
        code: 'custom',
        message: 'activity_schedule_to_close_s must be at least activity_start_to_close_s',
        path: ['timeouts', 'activity_schedule_to_close_s'],
      });
    }
    const { workflow_execution_s: execution, workflow_run_s: run } = t.timeouts;
    if (execution !== undefined && run !== undefined && execution < run) {
      ctx.addIssue({
        code: 'custom',
        message: 'workflow_execution_s must be at least workflow_run_s',
        path: ['timeouts', 'workflow_execution_s'],
      });
    }
    if (t.retry.maximum_interval_s < t.retry.initial_interval_s) {
      ctx.addIssue({
        code: 'custom',
        message: 'maximum_interval_s must be at least initial_interval_s',
        path: ['retry', 'maximum_interval_s'],
      });
    }
  })
  .prefault({});

export type TemporalSection = z.infer<typeof TemporalSectionSchema>;

/**
 * A command the `workLoop` sample may run as its step. Workflows name a step; only the worker's
 * operator decides what it runs, so starting a workflow never means running arbitrary commands.
 */
export const StepCommandSchema = z.strictObject({
  /** argv: the program and its arguments, run without a shell. */
  command: z.array(z.string().min(1)).min(1, 'command needs at least the program to run'),
  timeout_s: seconds(0.1, 3_600).default(60),
  /** Working directory; default the worker's. */
  cwd: z.string().min(1).optional(),
  /** Extra environment; the worker's own environment (with its secrets) is not passed on. */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment name'), z.string())
    .default({}),
  /** Output kept in the step result (the tail; the rest is dropped). */
  max_output_bytes: z.coerce.number().int().min(0).max(1_048_576).default(4_096),
});
export type StepCommand = z.infer<typeof StepCommandSchema>;

const BUILT_IN_STEPS: Readonly<Record<string, StepCommand>> = {
  pass: StepCommandSchema.parse({ command: ['true'] }),
  fail: StepCommandSchema.parse({ command: ['false'] }),
};

export const WorkerSectionSchema = z
  .strictObject({
    max_concurrent_activities: z.coerce.number().int().min(1).max(10_000).default(10),
    max_concurrent_workflow_tasks: z.coerce.number().int().min(1).max(10_000).default(10),
    /** After SIGINT/SIGTERM, how long running activities get to finish before they are cancelled. */
    shutdown_grace_s: seconds(0, 3_600).default(30),
    /** Port of the SDK metrics endpoint on 127.0.0.1; 0 picks a free one. */
    metrics_port: z.union([z.literal(0), port]).default(0),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    /**
     * Named step commands for `workLoop`, added to the built-in `pass` (`true`) and `fail`
     * (`false`), which exist so the sample runs as is; a step of the same name replaces them.
     */
    steps: z
      .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'step names use letters, digits, _ . -'),
        StepCommandSchema,
      )
      .default({})
      .transform((steps) => ({ ...BUILT_IN_STEPS, ...steps })),
  })
  .prefault({});

export type WorkerSection = z.infer<typeof WorkerSectionSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** (config path, value) pairs for the TEMPORAL_* variables that are set and not blank. */
export function temporalEnvOverrides(env: Env): [readonly string[], string][] {
  const out: [readonly string[], string][] = [];
  for (const [key, path] of Object.entries(TEMPORAL_ENV_KEYS)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') out.push([path, value]);
  }
  return out;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

/** Everything needed to open a client or worker connection. Holds the API key: never print it. */
export interface TemporalConnectionConfig {
  readonly address: string;
  readonly namespace: string;
  readonly apiKey: string | undefined;
  readonly tls: TLSConfig | boolean | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly connectTimeoutMs: number;
}

/**
 * Resolves the connection from Headway's merged `temporal:` section (file < env < flags) over the
 * SDK's own configuration (profile file < SDK environment) over the defaults. Fails with
 * CONFIG_INVALID listing every problem (unreadable profile, missing certificate files).
 */
export function resolveTemporalConnection(
  section: TemporalSection,
  env: Env,
): TemporalConnectionConfig {
  const problems: string[] = [];
  let sdk: ReturnType<typeof loadClientConnectConfig> | undefined;
  try {
    sdk = loadClientConnectConfig({
      ...(section.profile === undefined ? {} : { profile: section.profile }),
      overrideEnvVars: definedEnv(env),
    });
  } catch (err) {
    problems.push(`Temporal SDK configuration (temporal.toml / TEMPORAL_*): ${errorMessage(err)}`);
  }
  const fromSdk = sdk?.connectionOptions;
  const apiKey = section.api_key ?? stringOrUndefined(fromSdk?.apiKey);
  const tls = resolveTls(section.tls, fromSdk?.tls, apiKey, problems);

  if (problems.length > 0) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, 'invalid Temporal connection configuration', {
      details: problems,
      hint: 'fix the values listed above (headway.yml `temporal:`, TEMPORAL_* variables, or temporal.toml)',
    });
  }
  return {
    address: section.address ?? fromSdk?.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: section.namespace ?? sdk?.namespace ?? DEFAULT_NAMESPACE,
    apiKey,
    tls,
    metadata: stringMetadata(fromSdk?.metadata),
    connectTimeoutMs: Math.round(section.connect_timeout_s * 1_000),
  };
}

function resolveTls(
  fromHeadway: TemporalSection['tls'],
  fromSdk: TLSConfig | boolean | null | undefined,
  apiKey: string | undefined,
  problems: string[],
): TLSConfig | boolean | undefined {
  // The SDK turns `TEMPORAL_TLS=true` into a TLS object with nothing set: that is plain `true`.
  const sdk =
    fromSdk == null ? undefined : typeof fromSdk === 'object' ? compactTls(fromSdk) : fromSdk;
  if (fromHeadway === false) return false;
  if (fromHeadway === true) return typeof sdk === 'object' ? sdk : true;
  if (fromHeadway === undefined) {
    // As the SDK does: an API key means TLS unless TLS was explicitly turned off.
    return sdk ?? (apiKey === undefined ? undefined : true);
  }
  const base = typeof sdk === 'object' ? sdk : {};
  const read = (path: string | undefined, what: string): Uint8Array | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`temporal.tls.${what}: cannot read ${path}: ${errorMessage(err)}`);
      return undefined;
    }
  };
  const ca = read(fromHeadway.server_ca_cert_path, 'server_ca_cert_path');
  const crt = read(fromHeadway.client_cert_path, 'client_cert_path');
  const key = read(fromHeadway.client_key_path, 'client_key_path');
  return {
    ...base,
    ...(fromHeadway.server_name === undefined
      ? {}
      : { serverNameOverride: fromHeadway.server_name }),
    ...(ca === undefined ? {} : { serverRootCACertificate: ca }),
    ...(crt === undefined || key === undefined ? {} : { clientCertPair: { crt, key } }),
  };
}

function compactTls(tls: TLSConfig): TLSConfig | true {
  const entries = Object.entries(tls).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? true : Object.fromEntries(entries);
}

/** A one-line description for logs and messages, with the API key redacted. */
export function describeConnection(c: TemporalConnectionConfig): string {
  const tls = c.tls === undefined || c.tls === false ? 'no TLS' : 'TLS';
  const key = c.apiKey === undefined ? '' : ', API key ***';
  return `${c.address} (namespace ${c.namespace}, ${tls}${key})`;
}

function definedEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** gRPC metadata from the SDK profile (`grpc_meta`, `TEMPORAL_GRPC_META_*`): text values only. */
function stringMetadata(
  metadata: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, string> | undefined {
  if (metadata == null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length === 0 ? undefined : out;
}

function stringOrUndefined(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
