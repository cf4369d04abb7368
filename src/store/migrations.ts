import type { Dialect, SqlDriver } from './driver.js';
import { withOccRetry } from './retry.js';

/**
 * One schema change. Each migration is exactly ONE DDL statement, because Aurora DSQL allows one
 * DDL statement per transaction and no DDL mixed with DML. Versions only ever grow; never edit a
 * released migration, add a new one.
 *
 * DSQL rules kept here for every dialect: UUID keys (no sequences), no foreign keys (issues link to
 * assessments by `assessment_id` alone), JSON stored as TEXT, no sort order in index columns.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (dialect: Dialect) => string;
}

const table = (ddl: string) => () => ddl;

/** DSQL builds indexes in the background (`ASYNC`); PostgreSQL and PGlite build them in place. */
const index = (name: string, on: string) => (dialect: Dialect) =>
  dialect === 'dsql'
    ? `CREATE INDEX ASYNC IF NOT EXISTS ${name} ON ${on}`
    : `CREATE INDEX IF NOT EXISTS ${name} ON ${on}`;

export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create health_assessments',
    sql: table(`CREATE TABLE IF NOT EXISTS health_assessments (
  id UUID PRIMARY KEY,
  "timestamp" TIMESTAMPTZ NOT NULL,
  trigger VARCHAR(50) NOT NULL,
  overall_status VARCHAR(20) NOT NULL,
  services TEXT NOT NULL,
  issues TEXT NOT NULL,
  natural_language_summary TEXT NOT NULL,
  metrics_snapshot TEXT,
  recommended_actions TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
)`),
  },
  {
    version: 2,
    name: 'create issues',
    sql: table(`CREATE TABLE IF NOT EXISTS issues (
  id UUID PRIMARY KEY,
  assessment_id UUID NOT NULL,
  severity VARCHAR(20) NOT NULL,
  title VARCHAR(500) NOT NULL,
  description TEXT NOT NULL,
  likely_cause TEXT,
  suggested_actions TEXT,
  related_metrics TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  resolved_at TIMESTAMPTZ
)`),
  },
  {
    version: 3,
    name: 'create metrics_snapshots',
    sql: table(`CREATE TABLE IF NOT EXISTS metrics_snapshots (
  id UUID PRIMARY KEY,
  "timestamp" TIMESTAMPTZ NOT NULL,
  metrics TEXT NOT NULL
)`),
  },
  {
    version: 4,
    name: 'index assessments by time',
    sql: index('idx_assessments_timestamp', 'health_assessments ("timestamp")'),
  },
  {
    version: 5,
    name: 'index assessments by status',
    sql: index('idx_assessments_status', 'health_assessments (overall_status)'),
  },
  {
    version: 6,
    name: 'index issues by assessment',
    sql: index('idx_issues_assessment', 'issues (assessment_id)'),
  },
  {
    version: 7,
    name: 'index issues by severity',
    sql: index('idx_issues_severity', 'issues (severity)'),
  },
  {
    version: 8,
    name: 'index issues by creation',
    sql: index('idx_issues_created', 'issues (created_at)'),
  },
  {
    version: 9,
    name: 'index snapshots by time',
    sql: index('idx_snapshots_timestamp', 'metrics_snapshots ("timestamp")'),
  },
  {
    // The observe workflow's decision for the cycle (state, band, gates, log patterns, errors), so
    // the API serves the current state without asking Temporal. Nullable: older rows have none.
    version: 10,
    name: 'add metrics_snapshots.observation',
    sql: table('ALTER TABLE metrics_snapshots ADD COLUMN IF NOT EXISTS observation TEXT'),
  },
  {
    // What the explainer added beyond the reference's fields (contributing factors, things to
    // watch next, runbook citations, which explainer wrote it). JSON; nullable for older rows.
    version: 11,
    name: 'add health_assessments.explanation',
    sql: table('ALTER TABLE health_assessments ADD COLUMN IF NOT EXISTS explanation TEXT'),
  },
  // The monitored cluster a row belongs to (one copilot watches several). Nullable, without a
  // default (DSQL adds columns with neither): NULL is a row written before clusters, which belongs
  // to the default cluster (the store reads it so; see repository.ts clusterFilter).
  {
    version: 12,
    name: 'add metrics_snapshots.cluster',
    sql: table('ALTER TABLE metrics_snapshots ADD COLUMN IF NOT EXISTS cluster VARCHAR(64)'),
  },
  {
    version: 13,
    name: 'add health_assessments.cluster',
    sql: table('ALTER TABLE health_assessments ADD COLUMN IF NOT EXISTS cluster VARCHAR(64)'),
  },
  {
    version: 14,
    name: 'add issues.cluster',
    sql: table('ALTER TABLE issues ADD COLUMN IF NOT EXISTS cluster VARCHAR(64)'),
  },
  {
    version: 15,
    name: 'index snapshots by cluster and time',
    sql: index('idx_snapshots_cluster_timestamp', 'metrics_snapshots (cluster, "timestamp")'),
  },
  {
    version: 16,
    name: 'index assessments by cluster and time',
    sql: index('idx_assessments_cluster_timestamp', 'health_assessments (cluster, "timestamp")'),
  },
];

export interface MigrationReport {
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
  /** The schema version after this call. */
  readonly version: number;
}

/**
 * Applies pending migrations in version order. Idempotent: applied versions are skipped, and every
 * DDL statement is `IF NOT EXISTS`, so a run interrupted between a DDL and its bookkeeping row (two
 * transactions, as DSQL requires) completes on the next call.
 */
export async function migrate(
  db: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]?.version === ordered[i - 1]?.version) {
      throw new Error(`duplicate migration version ${String(ordered[i]?.version)}`);
    }
  }
  await withOccRetry(() => db.query('migrate: create schema_migrations', SCHEMA_MIGRATIONS_DDL));
  const rows = await db.query<{ version: number }>(
    'migrate: list applied',
    'SELECT version FROM schema_migrations',
  );
  const done = new Set(rows.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of ordered) {
    if (done.has(m.version)) continue;
    const label = `migrate: ${String(m.version)} ${m.name}`;
    await withOccRetry(() => db.query(label, m.sql(db.dialect)));
    await withOccRetry(() =>
      db.query(
        `${label} (record)`,
        'INSERT INTO schema_migrations (version, applied_at) VALUES ($1, NOW()) ON CONFLICT (version) DO NOTHING',
        [m.version],
      ),
    );
    applied.push(m.version);
  }
  const version = Math.max(0, ...done, ...applied);
  return { applied, version };
}
