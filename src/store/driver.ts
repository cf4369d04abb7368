import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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
 * PostgreSQL's memory settings for the store, whose working set is one assessment a cycle and the
 * API's reads. PGlite's defaults (shared_buffers 160 MB, effective for a server) filled the
 * WebAssembly memory, which never shrinks: the copilot held 500 MB for PGlite alone (issue 17).
 */
export const PGLITE_SETTINGS = [
  'shared_buffers=16MB',
  'temp_buffers=1MB',
  'wal_buffers=1MB',
  'work_mem=2MB',
  'maintenance_work_mem=8MB',
];

/**
 * An embedded PostgreSQL (PGlite, WASM). `'memory'` keeps everything in memory; a directory path
 * persists the database there (created if missing, by a child process: see createInChildProcess).
 */
export async function createPgliteDriver(dataDir: string): Promise<SqlDriver> {
  let db: PGlite;
  try {
    if (dataDir !== MEMORY) {
      mkdirSync(dataDir, { recursive: true });
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await createInChildProcess(dataDir);
    }
    db = await PGlite.create(dataDir === MEMORY ? undefined : dataDir, {
      postgresqlconf: PGLITE_SETTINGS,
    });
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

/** Run by `node -e` with the PGlite module, the data dir and the settings (JSON) as arguments. */
const CREATE_DATABASE = `
const [pglite, dataDir, settings] = process.argv.slice(1);
require(pglite)
  .PGlite.create(dataDir, { postgresqlconf: JSON.parse(settings) })
  .then((db) => db.close())
  .catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

/**
 * Creates the database in a short-lived child process. PGlite runs initdb in a second WebAssembly
 * instance: a peak near 1 GB that the opening process would keep as resident memory for its whole
 * life. The child takes the peak and exits; this process then opens an existing database.
 * `--liftoff-only` keeps V8 from compiling PGlite's WebAssembly a second time, optimised (half the
 * child's peak; initdb runs once, so the slower code costs nothing that matters).
 */
async function createInChildProcess(dataDir: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(
    process.execPath,
    ['--liftoff-only', '-e', CREATE_DATABASE, pglite, dataDir, JSON.stringify(PGLITE_SETTINGS)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`creating the PGlite database failed (exit ${String(code)}): ${stderr.trim()}`);
  }
}
