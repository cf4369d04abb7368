import { z } from 'zod';

import { ThresholdOverridesSchema } from '../health/thresholds.js';

type Credentials = {
  readonly type: string;
  readonly token?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly region?: string | undefined;
};

/** Each auth type's required fields, named with the environment variable that supplies them. */
function requireCredentials(prefix: 'PROMETHEUS' | 'LOKI') {
  return (auth: Credentials, ctx: z.RefinementCtx): void => {
    const need = (key: 'token' | 'username' | 'password' | 'region', env: string): void => {
      if (auth[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `auth type ${auth.type} needs ${key} (or HEADWAY_${prefix}_${env})`,
        });
      }
    };
    if (auth.type === 'bearer') need('token', 'TOKEN');
    if (auth.type === 'basic') {
      need('username', 'USERNAME');
      need('password', 'PASSWORD');
    }
    if (auth.type === 'sigv4') need('region', 'SIGV4_REGION');
  };
}

/**
 * How Headway reads a cluster's signals. Secrets (token, password) are best given through the
 * environment (HEADWAY_PROMETHEUS_TOKEN, HEADWAY_PROMETHEUS_PASSWORD) rather than the file.
 */
export const SignalsConfigSchema = z
  .strictObject({
    /** Prometheus (or Amazon Managed Prometheus workspace) URL; default: the local stack's. */
    prometheus_url: z.url().optional(),
    /** Label matchers that select the monitored server's series. */
    server_selector: z.string().default('job="temporal-monitored"'),
    /** Label matchers that select SDK worker series. */
    worker_selector: z.string().default('job="headway-worker"'),
    query_timeout_ms: z.coerce.number().int().min(100).max(60_000).default(5_000),
    concurrency: z.coerce.number().int().min(1).max(64).default(8),
    auth: z
      .strictObject({
        type: z.enum(['none', 'bearer', 'basic', 'sigv4']).default('none'),
        token: z.string().min(1).optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        region: z.string().min(1).optional(),
        service: z.string().min(1).default('aps'),
      })
      .prefault({})
      .superRefine(requireCredentials('PROMETHEUS')),
    /** Loki base URL for narrative log patterns; without it the local server log file is read. */
    loki_url: z.url().optional(),
    /** Loki's own credentials: Prometheus' are never sent to Loki. */
    loki_auth: z
      .strictObject({
        type: z.enum(['none', 'bearer', 'basic']).default('none'),
        token: z.string().min(1).optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
      })
      .prefault({})
      .superRefine(requireCredentials('LOKI')),
    /** Operator threshold overrides, applied to every scale band (validated for ordering). */
    thresholds: ThresholdOverridesSchema.default({}),
  })
  .prefault({});

export type SignalsConfig = z.infer<typeof SignalsConfigSchema>;
