import type { ConnectionOptions } from 'node:tls';

import { ErrorCode, HeadwayError } from '../errors.js';

import { createTokenCache, dsqlTokenGenerator, DEFAULT_TOKEN_TTL_MS } from './dsql-token.js';
import { createPoolDriver, type PostgresDriver } from './postgres-driver.js';

/** DSQL closes a connection after 60 minutes; the pool retires its own a little earlier. */
export const DSQL_MAX_CONNECTION_LIFETIME_S = 55 * 60;

export interface DsqlDriverOptions {
  /** Cluster endpoint, e.g. abc123.dsql.us-east-1.on.aws. */
  readonly endpoint: string;
  readonly region: string;
  /** Default `postgres`, the one database a DSQL cluster has. */
  readonly database?: string;
  /** Default `admin`. */
  readonly user?: string;
  /**
   * Called for every new connection; returns its password. Default: IAM auth tokens from
   * `@aws-sdk/dsql-signer`, cached and renewed before they expire.
   */
  readonly tokenProvider?: () => Promise<string>;
  /** The token cache's clock; injectable for tests. */
  readonly now?: () => number;
  readonly max?: number;
  /** For tests against a plain PostgreSQL only: DSQL always listens on 5432 with TLS. */
  readonly port?: number;
  /** For tests against a plain PostgreSQL only: DSQL requires verified TLS. */
  readonly ssl?: false | ConnectionOptions;
}

/**
 * Aurora DSQL: the pooled PostgreSQL driver with IAM auth tokens as passwords and verified TLS.
 * Transactions open with a plain BEGIN, as DSQL offers one isolation level (snapshot, reported
 * as repeatable read); conflicts surface as OC000/OC001 and are retried by `withOccRetry`.
 */
export function createDsqlDriver(options: DsqlDriverOptions): PostgresDriver {
  const user = options.user ?? 'admin';
  const database = options.database ?? 'postgres';
  const source =
    options.tokenProvider ??
    createTokenCache({
      generate: dsqlTokenGenerator({
        endpoint: options.endpoint,
        region: options.region,
        user,
        expiresInSeconds: DEFAULT_TOKEN_TTL_MS / 1000,
      }),
      ttlMs: DEFAULT_TOKEN_TTL_MS,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  const target = `dsql ${options.endpoint} (${options.region})`;

  const password = async (): Promise<string> => {
    try {
      return await source();
    } catch (err) {
      // The signer's own message may name a profile or file path; the error name is enough to act on.
      const kind = err instanceof Error ? err.name : 'error';
      throw new HeadwayError(
        ErrorCode.StoreUnavailable,
        `cannot get an IAM auth token for ${target} (${kind})`,
        {
          hint: 'check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance role) and HEADWAY_DSQL_REGION',
        },
      );
    }
  };

  return createPoolDriver({
    dialect: 'dsql',
    target,
    unavailableHint: `check the cluster endpoint and region (store.dsql / HEADWAY_DSQL_ENDPOINT, HEADWAY_DSQL_REGION) and that port ${String(options.port ?? 5432)} is reachable over TLS`,
    begin: 'BEGIN',
    pool: {
      host: options.endpoint,
      port: options.port ?? 5432,
      database,
      user,
      password,
      ssl: options.ssl ?? { rejectUnauthorized: true },
      max: options.max ?? 10,
      maxLifetimeSeconds: DSQL_MAX_CONNECTION_LIFETIME_S,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: 'headway',
    },
  });
}
