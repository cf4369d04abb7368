import { join } from 'node:path';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { redactUrl } from '../log/redact.js';

import { createPgliteDriver, MEMORY, StoreQueryError, type SqlDriver } from './driver.js';
import type { DsqlDriverOptions } from './dsql-driver.js';
import { migrate } from './migrations.js';
import { acquireStoreLock, type StoreLock } from './pglite-lock.js';
import type { PostgresDriverOptions } from './postgres-driver.js';
import { createAssessmentStore, type AssessmentStore } from './repository.js';
import type { OccRetryOptions } from './retry.js';
import { isConnectSqlState } from './sql-state.js';

export interface OpenStoreOptions {
  readonly retry?: OccRetryOptions;
  /** Pool and isolation of the PostgreSQL driver. */
  readonly postgres?: PostgresDriverOptions;
  /** Token source and clock of the DSQL driver (tests). */
  readonly dsql?: Pick<DsqlDriverOptions, 'tokenProvider' | 'now' | 'port' | 'ssl' | 'max'>;
  /** The default monitored cluster: the store's view, and the owner of rows from before clusters. */
  readonly defaultCluster?: string;
}

export interface OpenedStore {
  readonly driver: SqlDriver;
  readonly store: AssessmentStore;
  /** Which backend, and where, without secrets: `pglite /path`, `postgres postgres://u:***@h/db`. */
  readonly description: string;
  close(): Promise<void>;
}

type StoreSection = HeadwayConfig['store'];

/** The backend `openStore` would choose, and its secret-free description. */
export function describeStore(config: Pick<HeadwayConfig, 'store' | 'state_dir'>): string {
  const { store } = config;
  if (store.dsql.endpoint !== undefined) {
    return `dsql ${store.dsql.endpoint} (${store.dsql.region ?? 'no region'})`;
  }
  if (store.url !== undefined) return `postgres ${redactUrl(store.url)}`;
  return `pglite ${pgliteDir(config)}`;
}

function pgliteDir(config: Pick<HeadwayConfig, 'store' | 'state_dir'>): string {
  return config.store.pglite_dir ?? join(config.state_dir, 'store');
}

async function createDriver(
  config: Pick<HeadwayConfig, 'store' | 'state_dir'>,
  options: OpenStoreOptions,
): Promise<SqlDriver> {
  const store: StoreSection = config.store;
  const { endpoint, region, database, user } = store.dsql;
  if (endpoint !== undefined) {
    if (region === undefined) {
      throw new HeadwayError(ErrorCode.ConfigInvalid, 'store.dsql.endpoint needs a region', {
        hint: 'set store.dsql.region or HEADWAY_DSQL_REGION',
      });
    }
    // Each driver loads its client library only when chosen: PGlite, the default, needs neither.
    const { createDsqlDriver } = await import('./dsql-driver.js');
    return createDsqlDriver({ endpoint, region, database, user, ...options.dsql });
  }
  if (store.url !== undefined) {
    const { createPostgresDriver } = await import('./postgres-driver.js');
    return createPostgresDriver(store.url, options.postgres);
  }
  const dir = pgliteDir(config);
  if (dir === MEMORY) return createPgliteDriver(dir);
  // Only one process may own an embedded store: a second opener fails here, naming the holder.
  const lock: StoreLock = acquireStoreLock(dir);
  try {
    const driver = await createPgliteDriver(dir);
    return {
      ...driver,
      close: async () => {
        try {
          await driver.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** One line saying what to do about a store that answered, but refused to open. */
function hintFor(err: StoreQueryError, description: string): string {
  const state = err.sqlState ?? '';
  if (state.startsWith('28')) {
    return 'the store rejected the credentials: check the user and password in store.url / HEADWAY_STORE_URL (or the IAM role for DSQL)';
  }
  if (state === '3D000')
    return 'the database does not exist: create it, or fix the database name in store.url';
  if (state === '42501')
    return 'the store user lacks privileges to create the schema: grant CREATE on the database (or schema) to it';
  if (state === '53300')
    return "the server has no free connection slots: lower other clients' pool sizes or raise max_connections";
  if (state.startsWith('57P') || state.startsWith('08'))
    return 'the server is starting, stopping or dropped the connection: try again shortly';
  return `check that ${description} is a PostgreSQL-compatible database Headway may create tables in`;
}

/**
 * Opens the assessment store `config` names: Aurora DSQL when `store.dsql.endpoint` is set,
 * PostgreSQL when `store.url` is, PGlite in `store.pglite_dir` (default STATE_DIR/store)
 * otherwise. Applies pending migrations. Errors are HeadwayErrors with a hint and no secrets.
 */
export async function openStore(
  config: Pick<HeadwayConfig, 'store' | 'state_dir'>,
  options: OpenStoreOptions = {},
): Promise<OpenedStore> {
  const description = describeStore(config);
  const driver = await createDriver(config, options);
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close().catch(() => undefined);
    if (err instanceof StoreQueryError) {
      throw new HeadwayError(
        isConnectSqlState(err.sqlState) ? ErrorCode.StoreUnavailable : err.code,
        `cannot open the assessment store (${description}): ${err.message}`,
        { hint: hintFor(err, description), details: err.details },
      );
    }
    throw err;
  }
  return {
    driver,
    store: createAssessmentStore(driver, {
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.defaultCluster === undefined ? {} : { defaultCluster: options.defaultCluster }),
    }),
    description,
    close: () => driver.close(),
  };
}
