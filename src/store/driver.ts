import { mkdirSync } from 'node:fs';

import { PGlite } from '@electric-sql/pglite';

import { ErrorCode, HeadwayError } from '../errors.js';

/**
 * The SQL dialect a driver speaks. `dsql` is Aurora DSQL: PostgreSQL wire protocol, but one DDL
 * statement per transaction, no foreign keys or sequences, and `CREATE INDEX ASYNC`.
 */
export type Dialect = 'postgres' | 'dsql';

export type SqlParam = string | number | boolean | null | Date | readonly string[];
export type Row = Record<string, unknown>;

/** Runs one named statement. The name is what errors and logs show; parameters never are. */
export interface SqlExecutor {
  query<R extends Row = Row>(name: string, sql: string, params?: readonly SqlParam[]): Promise<R[]>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A failed store query: carries the query's name and SQLSTATE, never its parameters. */
export class StoreQueryError extends HeadwayError {
  readonly queryName: string;
  /** The five-character SQLSTATE, or undefined when the driver did not report one. */
  readonly sqlState: string | undefined;

  constructor(queryName: string, sqlState: string | undefined, details: readonly string[]) {
    super(
      ErrorCode.StoreQueryFailed,
      `store query "${queryName}" failed${sqlState === undefined ? '' : ` (SQLSTATE ${sqlState})`}`,
      { details },
    );
    this.name = 'StoreQueryError';
    this.queryName = queryName;
    this.sqlState = sqlState;
  }
}

/** The SQLSTATE of a driver error or a StoreQueryError, if it has one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (err instanceof StoreQueryError) return err.sqlState;
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Wraps a driver error. The driver's own message and `detail` are dropped on purpose: PostgreSQL
 * quotes offending values in them (`invalid input syntax for type uuid: "…"`, `Key (id)=(…)`), and
 * those values may be secrets. Only schema names (table, column, constraint) are kept.
 */
export function wrapDriverError(queryName: string, err: unknown): StoreQueryError {
  if (err instanceof StoreQueryError) return err;
  const fields = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const details: string[] = [];
  for (const key of ['table', 'column', 'constraint'] as const) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') details.push(`${key}: ${value}`);
  }
  return new StoreQueryError(queryName, sqlStateOf(err), details);
}

type PgliteLike = Pick<PGlite, 'query'>;

function executor(db: PgliteLike): SqlExecutor {
  return {
    async query<R extends Row>(name: string, sql: string, params: readonly SqlParam[] = []) {
      try {
        const result = await db.query<R>(sql, [...params]);
        return result.rows;
      } catch (err) {
        throw wrapDriverError(name, err);
      }
    },
  };
}

/** Where a PGlite database lives: a directory path, or MEMORY for an in-memory database. */
export const MEMORY = 'memory';

/**
 * An embedded PostgreSQL (PGlite, WASM). `'memory'` keeps everything in memory; a directory path
 * persists the database there (created if missing).
 */
export async function createPgliteDriver(dataDir: string): Promise<SqlDriver> {
  let db: PGlite;
  try {
    if (dataDir !== MEMORY) mkdirSync(dataDir, { recursive: true });
    db = await PGlite.create(dataDir === MEMORY ? undefined : dataDir);
  } catch (err) {
    throw new HeadwayError(ErrorCode.StateDirInvalid, 'cannot open the assessment store', {
      hint: `check that ${dataDir} is a writable directory holding a PGlite database`,
      cause: err,
    });
  }
  return {
    dialect: 'postgres',
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: () => db.close(),
  };
}
