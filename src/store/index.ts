export {
  createPgliteDriver,
  MEMORY,
  sqlStateOf,
  StoreQueryError,
  wrapDriverError,
} from './driver.js';
export type { Dialect, Row, SqlDriver, SqlExecutor, SqlParam } from './driver.js';
export { createDsqlDriver, DSQL_MAX_CONNECTION_LIFETIME_S } from './dsql-driver.js';
export type { DsqlDriverOptions } from './dsql-driver.js';
export {
  createTokenCache,
  DEFAULT_RENEW_BEFORE_MS,
  DEFAULT_TOKEN_TTL_MS,
  dsqlTokenGenerator,
} from './dsql-token.js';
export type { DsqlTokenGeneratorOptions, TokenCacheOptions } from './dsql-token.js';
export { describeStore, openStore } from './open.js';
export type { OpenedStore, OpenStoreOptions } from './open.js';
export { createPostgresDriver } from './postgres-driver.js';
export { redactUrl } from '../log/redact.js';
export type { IsolationLevel, PostgresDriver, PostgresDriverOptions } from './postgres-driver.js';
export { MIGRATIONS, migrate, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
export type { Migration, MigrationReport } from './migrations.js';
export {
  createAssessmentStore,
  DEFAULT_RETENTION_DAYS,
  PRUNE_BATCH,
  retentionCutoff,
} from './repository.js';
export type {
  Assessment,
  AssessmentInput,
  AssessmentStore,
  Issue,
  IssueInput,
  IssueSeverity,
  Observation,
  RecommendedAction,
  SnapshotInput,
  LogPatternCount,
  PruneResult,
  Snapshot,
} from './repository.js';
export { backoffMs, isOccConflict, RETRYABLE_SQLSTATES, withOccRetry } from './retry.js';
export type { OccRetryOptions } from './retry.js';
