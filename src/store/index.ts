export {
  createPgliteDriver,
  MEMORY,
  sqlStateOf,
  StoreQueryError,
  wrapDriverError,
} from './driver.js';
export type { Dialect, Row, SqlDriver, SqlExecutor, SqlParam } from './driver.js';
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
  StoredLogPattern,
  PruneResult,
  Snapshot,
} from './repository.js';
export { backoffMs, isOccConflict, RETRYABLE_SQLSTATES, withOccRetry } from './retry.js';
export type { OccRetryOptions } from './retry.js';
