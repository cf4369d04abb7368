import pg from 'pg';

import { ErrorCode, HeadwayError } from '../errors.js';
import { redactUrl } from '../log/redact.js';

import {
  sqlStateOf,
  StoreQueryError,
  wrapDriverError,
  type Dialect,
  type Row,
  type SqlDriver,
  type SqlExecutor,
  type SqlParam,
} from './driver.js';
import { isConnectSqlState } from './sql-state.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface PostgresDriverOptions {
  /** Isolation of `transaction()`; default read committed (PostgreSQL's own default). */
  readonly isolation?: IsolationLevel;
  /** Pool size; default 10. */
  readonly max?: number;
}

export interface PostgresDriver extends SqlDriver {
  /**
   * Errors reported by idle pooled connections (server restart, network drop, backend killed).
   * Each one already removed its connection from the pool; the next query opens a new one.
   */
  idleErrors(): number;
}

const BEGIN: Readonly<Record<IsolationLevel, string>> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
};

/** Node socket and DNS errors that mean the server cannot be reached or the connection died. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Messages node-postgres itself produces (no server text, no parameters), safe to repeat. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'The server does not support SSL connections',
  'Client was closed and is not queryable',
  'Client has encountered a connection error and is not queryable',
];

/** Why a connection failed, in words that carry no secret; undefined if it was not a connection failure. */
function connectionFailure(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (sqlStateOf(err) !== undefined) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const message = err instanceof Error ? err.message : '';
  const known = PG_CONNECTION_MESSAGES.find((m) => message.startsWith(m));
  if (known !== undefined) return known;
  // TLS failures (certificate checks) carry an upper-case OpenSSL-style code.
  if (typeof code === 'string' && /^(ERR_TLS_|ERR_SSL_|[A-Z_]*CERT)/.test(code)) return code;
  return undefined;
}

/**
 * node-postgres leaves the socket open when a connection fails on the client side (the password
 * callback rejected, say): the server would keep that session waiting for a password until its
 * authentication timeout, a minute later. This client closes the socket instead.
 */
class ClosingClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    if (callback === undefined) {
      return super.connect().catch((err: unknown) => {
        this.connection.stream.destroy();
        throw err;
      });
    }
    super.connect((err: Error | null) => {
      if (err) this.connection.stream.destroy();
      callback(err as Error);
    });
  }
}

export interface PoolDriverSpec {
  readonly dialect: Dialect;
  readonly pool: pg.PoolConfig;
  /** Where the pool connects, secret-free (a redacted URL, an endpoint): used in errors. */
  readonly target: string;
  /** The hint of STORE_UNAVAILABLE errors. */
  readonly unavailableHint: string;
  /** The statement that opens a transaction. */
  readonly begin: string;
}

/**
 * A SqlDriver over a `pg.Pool`: shared by the PostgreSQL and Aurora DSQL drivers, which differ only
 * in how they connect.
 */
export function createPoolDriver(spec: PoolDriverSpec): PostgresDriver {
  const pool = new pg.Pool({ ...spec.pool, Client: ClosingClient });
  let idleErrors = 0;
  // An idle client's error is emitted on the pool; unhandled, it would crash the process. pg-pool
  // has already dropped that client, so counting it is all there is to do.
  pool.on('error', () => {
    idleErrors++;
  });

  const fail = (name: string, err: unknown): Error => {
    if (err instanceof HeadwayError) return err;
    const reason = connectionFailure(err);
    if (reason !== undefined) {
      return new HeadwayError(
        ErrorCode.StoreUnavailable,
        `cannot reach the assessment store at ${spec.target} (${reason})`,
        { hint: spec.unavailableHint, details: [`query: ${name}`] },
      );
    }
    const state = sqlStateOf(err);
    if (isConnectSqlState(state)) {
      return new StoreQueryError(name, state, [`server: ${spec.target}`]);
    }
    return wrapDriverError(name, err);
  };

  /**
   * Runs `fn` on one pooled client. While the client is checked out, its `error` event (a backend
   * killed between two statements of a transaction) is caught here rather than crashing the
   * process, and such a client is destroyed on release instead of going back to the pool.
   */
  async function withClient<T>(
    name: string,
    fn: (client: pg.PoolClient, broken: (err: unknown) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw fail(name, err);
    }
    let brokenBy: Error | undefined;
    const broken = (err: unknown) => {
      brokenBy ??= err instanceof Error ? err : new Error('connection broken');
    };
    client.on('error', broken);
    try {
      return await fn(client, broken);
    } finally {
      client.removeListener('error', broken);
      client.release(brokenBy);
    }
  }

  function executor(client: pg.PoolClient, broken: (err: unknown) => void): SqlExecutor {
    return {
      async query<R extends Row>(name: string, sql: string, params: readonly SqlParam[] = []) {
        try {
          const result = await client.query<R>(sql, [...params]);
          return result.rows;
        } catch (err) {
          if (connectionFailure(err) !== undefined) broken(err);
          throw fail(name, err);
        }
      },
    };
  }

  let closing: Promise<void> | undefined;

  return {
    dialect: spec.dialect,
    idleErrors: () => idleErrors,

    query: (name, sql, params) =>
      withClient(name, (client, broken) => executor(client, broken).query(name, sql, params)),

    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return withClient('transaction: begin', async (client, broken) => {
        const tx = executor(client, broken);
        await tx.query('transaction: begin', spec.begin);
        let result: T;
        try {
          result = await fn(tx);
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackErr) {
            // The transaction cannot be ended cleanly; the connection must not be reused.
            broken(rollbackErr);
          }
          throw err;
        }
        // A serialization failure may surface only here (SQLSTATE 40001 at COMMIT); PostgreSQL has
        // then already rolled the transaction back.
        await tx.query('transaction: commit', 'COMMIT');
        return result;
      });
    },

    close: () => (closing ??= pool.end()),
  };
}

/**
 * PostgreSQL over a connection pool (`node-postgres`). `url` is a `postgres://` or
 * `postgresql://` URL; it never appears in errors except redacted.
 */
export function createPostgresDriver(
  url: string,
  options: PostgresDriverOptions = {},
): PostgresDriver {
  const target = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // node-postgres would parse it later and put the whole string, password included, in its error.
    throw new HeadwayError(ErrorCode.ConfigInvalid, `invalid PostgreSQL URL ${target}`, {
      hint: 'store.url / HEADWAY_STORE_URL must look like postgres://user:password@host:5432/database (percent-encode special characters in the password)',
    });
  }
  const where = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  return createPoolDriver({
    dialect: 'postgres',
    target,
    unavailableHint: `check that PostgreSQL is running and accepts connections at ${where}, and the URL in store.url / HEADWAY_STORE_URL`,
    begin: BEGIN[options.isolation ?? 'read committed'],
    pool: {
      connectionString: url,
      max: options.max ?? 10,
      idleTimeoutMillis: 30_000,
      // Without a timeout, a silently dropping firewall makes the first query hang for minutes.
      connectionTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: 'headway',
    },
  });
}
