import { randomUUID } from 'node:crypto';

import type {
  DraftIssue,
  IssueSeverity,
  LogPatternCount,
  Observation,
  RecommendedAction,
} from '../model/records.js';
import type { HealthState, Signals } from '../model/signals.js';

import { sqlStateOf, type SqlDriver, type SqlExecutor } from './driver.js';
import { withOccRetry, type OccRetryOptions } from './retry.js';

/** Snapshots and assessments older than this many days are pruned unless configured otherwise. */
export const DEFAULT_RETENTION_DAYS = 7;

/**
 * Rows deleted per statement when pruning. Aurora DSQL caps the rows one transaction may modify
 * (3,000), so pruning works in batches well below that.
 */
export const PRUNE_BATCH = 500;

/** The monitored cluster of a copilot configured without `copilot.clusters` (`cluster_id`'s default). */
export const DEFAULT_CLUSTER = 'local';

export type { IssueSeverity, LogPatternCount, Observation, RecommendedAction };

/** An issue as saved: the draft's optional fields default to empty. */
export type IssueInput = Omit<
  DraftIssue,
  'likely_cause' | 'suggested_actions' | 'related_metrics'
> &
  Partial<Pick<DraftIssue, 'likely_cause' | 'suggested_actions' | 'related_metrics'>>;

export interface Issue extends DraftIssue {
  readonly id: string;
  readonly assessment_id: string;
  readonly created_at: string;
  readonly resolved_at: string | null;
}

export interface AssessmentInput {
  /**
   * Caller-chosen id (a workflow passes a deterministic one): saving the same id twice stores it
   * once, so a retried activity never duplicates an assessment.
   */
  readonly id?: string;
  readonly trigger: string;
  readonly health_state: HealthState;
  readonly summary: string;
  readonly services: unknown;
  readonly issues: readonly IssueInput[];
  readonly recommended_actions: readonly RecommendedAction[];
  readonly metrics_snapshot: unknown;
  /**
   * The explainer's extras (contributing factors, watch-next, runbook citations, which explainer),
   * JSON; null when none.
   */
  readonly explanation?: unknown;
  readonly at: Date;
}

/** A stored assessment: its input, with the stored issues, id and timestamps. */
export interface Assessment extends Omit<AssessmentInput, 'at' | 'issues'> {
  readonly id: string;
  readonly timestamp: string;
  readonly issues: readonly Issue[];
  readonly created_at: string;
}

export interface Snapshot {
  readonly id: string;
  readonly timestamp: string;
  readonly signals: Signals;
  /** Null for snapshots written without an observation (older rows, `record`). */
  readonly observation: Observation | null;
}

export interface PruneResult {
  readonly snapshots: number;
  readonly assessments: number;
  readonly issues: number;
}

export interface SnapshotInput {
  /** Caller-chosen id; saving the same id twice stores it once. */
  readonly id?: string;
  readonly observation?: Observation | null;
}

/**
 * The store as one monitored cluster sees it: its snapshots and assessments are written with its
 * name and read back by it. `ping`, `oldestRowAt` and `prune` are store-wide (retention is one
 * setting), and an assessment's issues are found through its id.
 */
export interface AssessmentStore {
  /** The monitored cluster this view reads and writes. */
  readonly cluster: string;
  /** The same store as another cluster sees it. */
  forCluster(name: string): AssessmentStore;
  saveSnapshot(signals: Signals, at: Date, options?: SnapshotInput): Promise<Snapshot>;
  latestSnapshot(): Promise<Snapshot | undefined>;
  /** The oldest row's timestamp (snapshot or assessment); undefined when the store is empty. */
  oldestRowAt(): Promise<string | undefined>;
  /** Snapshots at or after `since`, oldest first. */
  snapshotsSince(since: Date, limit: number): Promise<Snapshot[]>;
  /** Writes the assessment and its issue rows in one transaction. */
  saveAssessment(input: AssessmentInput): Promise<Assessment>;
  latestAssessment(): Promise<Assessment | undefined>;
  assessmentById(id: string): Promise<Assessment | undefined>;
  /** Whether any assessment is timestamped at or after `since`. */
  hasAssessmentSince(since: Date): Promise<boolean>;
  /** Resolves when the store answers a trivial query; throws StoreQueryError otherwise. */
  ping(): Promise<void>;
  /** Issues of one assessment, most severe first. */
  issuesOf(
    assessmentId: string,
    options: { severity?: IssueSeverity; limit: number },
  ): Promise<Issue[]>;
  /** Assessments with start <= timestamp < end, oldest first. */
  assessmentsBetween(start: Date, end: Date): Promise<Assessment[]>;
  /** Deletes snapshots and assessments (with their issues) timestamped before `olderThan`. */
  prune(olderThan: Date): Promise<PruneResult>;
}

/** The cut-off for a retention window of `days` ending at `now`. */
export function retentionCutoff(now: Date, days: number = DEFAULT_RETENTION_DAYS): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const parse = (v: unknown): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : null);
const parseList = (v: unknown): string[] => {
  const value = parse(v);
  return Array.isArray(value) ? (value as string[]) : [];
};

interface IssueRow {
  id: string;
  assessment_id: string;
  severity: string;
  title: string;
  description: string;
  likely_cause: string | null;
  suggested_actions: string | null;
  related_metrics: string | null;
  created_at: unknown;
  resolved_at: unknown;
  [key: string]: unknown;
}

interface AssessmentRow {
  id: string;
  timestamp: unknown;
  trigger: string;
  overall_status: string;
  services: string;
  issues: string;
  natural_language_summary: string;
  metrics_snapshot: string | null;
  recommended_actions: string;
  explanation: string | null;
  created_at: unknown;
  [key: string]: unknown;
}

interface SnapshotRow {
  id: string;
  timestamp: unknown;
  metrics: string;
  observation: string | null;
  [key: string]: unknown;
}

function toIssue(row: IssueRow): Issue {
  return {
    id: row.id,
    assessment_id: row.assessment_id,
    severity: row.severity as IssueSeverity,
    title: row.title,
    description: row.description,
    likely_cause: row.likely_cause,
    suggested_actions: parseList(row.suggested_actions),
    related_metrics: parseList(row.related_metrics),
    created_at: iso(row.created_at),
    resolved_at: isoOrNull(row.resolved_at),
  };
}

function toAssessment(row: AssessmentRow): Assessment {
  return {
    id: row.id,
    timestamp: iso(row.timestamp),
    trigger: row.trigger,
    health_state: row.overall_status as HealthState,
    summary: row.natural_language_summary,
    services: parse(row.services),
    issues: (parse(row.issues) as Issue[] | null) ?? [],
    recommended_actions: (parse(row.recommended_actions) as RecommendedAction[] | null) ?? [],
    metrics_snapshot: parse(row.metrics_snapshot),
    explanation: parse(row.explanation),
    created_at: iso(row.created_at),
  };
}

function toSnapshot(row: SnapshotRow): Snapshot {
  return {
    id: row.id,
    timestamp: iso(row.timestamp),
    signals: parse(row.metrics) as Signals,
    observation: (parse(row.observation) as Observation | null) ?? null,
  };
}

/** SQLSTATE of a unique-key violation: the row with this id was already written. */
const UNIQUE_VIOLATION = '23505';

const ASSESSMENT_COLUMNS = `id, "timestamp", trigger, overall_status, services, issues,
  natural_language_summary, metrics_snapshot, recommended_actions, created_at, explanation`;

const SEVERITY_ORDER = `CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`;

async function insertIssue(tx: SqlExecutor, issue: Issue, cluster: string): Promise<void> {
  await tx.query(
    'store: insert issue',
    `INSERT INTO issues (id, assessment_id, severity, title, description, likely_cause,
       suggested_actions, related_metrics, created_at, resolved_at, cluster)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)`,
    [
      issue.id,
      issue.assessment_id,
      issue.severity,
      issue.title,
      issue.description,
      issue.likely_cause,
      JSON.stringify(issue.suggested_actions),
      JSON.stringify(issue.related_metrics),
      new Date(issue.created_at),
      cluster,
    ],
  );
}

/**
 * Runs `step` (one batch, one transaction, returning the rows it deleted) until a batch deletes
 * fewer than PRUNE_BATCH rows. Counts are added only after a commit, so a retried batch is not
 * counted twice.
 */
async function pruneInBatches(
  db: SqlDriver,
  retry: OccRetryOptions,
  step: (tx: SqlExecutor) => Promise<number>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await withOccRetry(() => db.transaction(step), retry);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}

/**
 * The assessment store over any SqlDriver. Call `migrate(driver)` first. Every write is one
 * transaction, retried as a whole on optimistic-concurrency conflicts.
 */
export function createAssessmentStore(
  db: SqlDriver,
  options: {
    retry?: OccRetryOptions;
    /** The cluster of this view; default: `defaultCluster`. */
    cluster?: string;
    /** The cluster that owns rows written before clusters (cluster NULL); default `local`. */
    defaultCluster?: string;
  } = {},
): AssessmentStore {
  const retry = options.retry ?? {};
  const defaultCluster = options.defaultCluster ?? DEFAULT_CLUSTER;
  const cluster = options.cluster ?? defaultCluster;
  /** The WHERE condition selecting this cluster's rows, its name being parameter `$n`. */
  const mine = (n: number): string =>
    cluster === defaultCluster
      ? `(cluster = $${String(n)} OR cluster IS NULL)`
      : `cluster = $${String(n)}`;

  const store: AssessmentStore = {
    cluster,

    forCluster(name) {
      return name === cluster
        ? store
        : createAssessmentStore(db, { ...options, cluster: name, defaultCluster });
    },

    async saveSnapshot(signals, at, options = {}) {
      const id = options.id ?? randomUUID();
      const observation = options.observation ?? null;
      try {
        await withOccRetry(
          () =>
            db.query(
              'store: save snapshot',
              `INSERT INTO metrics_snapshots (id, "timestamp", metrics, observation, cluster)
               VALUES ($1, $2, $3, $4, $5)`,
              [
                id,
                at,
                JSON.stringify(signals),
                observation === null ? null : JSON.stringify(observation),
                cluster,
              ],
            ),
          retry,
        );
      } catch (err) {
        // Saved before (a retried activity): what counts is the stored row, not this call's input.
        if (sqlStateOf(err) !== UNIQUE_VIOLATION) throw err;
        const rows = await db.query<SnapshotRow>(
          'store: snapshot by id',
          'SELECT id, "timestamp", metrics, observation FROM metrics_snapshots WHERE id = $1',
          [id],
        );
        if (rows[0] === undefined) throw err;
        return toSnapshot(rows[0]);
      }
      return { id, timestamp: at.toISOString(), signals, observation };
    },

    async oldestRowAt() {
      const rows = await db.query<{ t: unknown }>(
        'store: oldest row',
        `SELECT min(t) AS t FROM (
           SELECT min("timestamp") AS t FROM metrics_snapshots
           UNION ALL SELECT min("timestamp") AS t FROM health_assessments
         ) AS oldest`,
      );
      return isoOrNull(rows[0]?.t) ?? undefined;
    },

    async latestSnapshot() {
      const rows = await db.query<SnapshotRow>(
        'store: latest snapshot',
        `SELECT id, "timestamp", metrics, observation FROM metrics_snapshots
         WHERE ${mine(1)} ORDER BY "timestamp" DESC LIMIT 1`,
        [cluster],
      );
      return rows[0] === undefined ? undefined : toSnapshot(rows[0]);
    },

    async snapshotsSince(since, limit) {
      const rows = await db.query<SnapshotRow>(
        'store: snapshots since',
        `SELECT id, "timestamp", metrics, observation FROM metrics_snapshots
         WHERE "timestamp" >= $1 AND ${mine(3)} ORDER BY "timestamp" ASC LIMIT $2`,
        [since, limit, cluster],
      );
      return rows.map(toSnapshot);
    },

    async saveAssessment(input) {
      const id = input.id ?? randomUUID();
      const createdAt = input.at.toISOString();
      const issues: Issue[] = input.issues.map((i) => ({
        id: randomUUID(),
        assessment_id: id,
        severity: i.severity,
        title: i.title,
        description: i.description,
        likely_cause: i.likely_cause ?? null,
        suggested_actions: i.suggested_actions ?? [],
        related_metrics: i.related_metrics ?? [],
        created_at: createdAt,
        resolved_at: null,
      }));
      try {
        await withOccRetry(
          () =>
            db.transaction(async (tx) => {
              await tx.query(
                'store: save assessment',
                `INSERT INTO health_assessments (${ASSESSMENT_COLUMNS}, cluster)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
                [
                  id,
                  input.at,
                  input.trigger,
                  input.health_state,
                  JSON.stringify(input.services ?? {}),
                  JSON.stringify(issues),
                  input.summary,
                  input.metrics_snapshot === undefined
                    ? null
                    : JSON.stringify(input.metrics_snapshot),
                  JSON.stringify(input.recommended_actions),
                  input.at,
                  input.explanation === undefined || input.explanation === null
                    ? null
                    : JSON.stringify(input.explanation),
                  cluster,
                ],
              );
              for (const issue of issues) await insertIssue(tx, issue, cluster);
            }),
          retry,
        );
      } catch (err) {
        // The assessment and its issues commit together, so an existing id means all of it is stored.
        if (sqlStateOf(err) !== UNIQUE_VIOLATION) throw err;
        const stored = await store.assessmentById(id);
        if (stored !== undefined) return stored;
        throw err;
      }
      return {
        id,
        timestamp: createdAt,
        trigger: input.trigger,
        health_state: input.health_state,
        summary: input.summary,
        services: input.services ?? {},
        issues,
        recommended_actions: [...input.recommended_actions],
        metrics_snapshot: input.metrics_snapshot ?? null,
        explanation: input.explanation ?? null,
        created_at: createdAt,
      };
    },

    async assessmentById(id) {
      const rows = await db.query<AssessmentRow>(
        'store: assessment by id',
        `SELECT ${ASSESSMENT_COLUMNS} FROM health_assessments WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toAssessment(rows[0]);
    },

    async latestAssessment() {
      const rows = await db.query<AssessmentRow>(
        'store: latest assessment',
        `SELECT ${ASSESSMENT_COLUMNS} FROM health_assessments
         WHERE ${mine(1)} ORDER BY "timestamp" DESC LIMIT 1`,
        [cluster],
      );
      return rows[0] === undefined ? undefined : toAssessment(rows[0]);
    },

    async hasAssessmentSince(since) {
      const rows = await db.query(
        'store: recent assessment',
        `SELECT id FROM health_assessments WHERE "timestamp" >= $1 AND ${mine(2)} LIMIT 1`,
        [since, cluster],
      );
      return rows.length > 0;
    },

    async ping() {
      await db.query('store: ping', 'SELECT 1 AS ok');
    },

    async issuesOf(assessmentId, { severity, limit }) {
      const rows = await db.query<IssueRow>(
        'store: issues of assessment',
        `SELECT * FROM issues WHERE assessment_id = $1 AND ($2::text IS NULL OR severity = $2)
         ORDER BY ${SEVERITY_ORDER}, created_at, id LIMIT $3`,
        [assessmentId, severity ?? null, limit],
      );
      return rows.map(toIssue);
    },

    async assessmentsBetween(start, end) {
      const rows = await db.query<AssessmentRow>(
        'store: assessments between',
        `SELECT ${ASSESSMENT_COLUMNS} FROM health_assessments
         WHERE "timestamp" >= $1 AND "timestamp" < $2 AND ${mine(3)} ORDER BY "timestamp" ASC`,
        [start, end, cluster],
      );
      return rows.map(toAssessment);
    },

    async prune(olderThan) {
      // Every transaction touches at most PRUNE_BATCH rows (DSQL refuses more than 3,000): issues
      // of old assessments go first, in their own batches, then the assessments they belonged to,
      // so an interrupted prune leaves old assessments without issues, never orphaned issues.
      const deleteBatch = (name: string, sql: string) =>
        pruneInBatches(db, retry, async (tx) => (await tx.query(name, sql, [olderThan])).length);
      const limit = String(PRUNE_BATCH);
      const snapshots = await deleteBatch(
        'store: prune snapshots',
        `DELETE FROM metrics_snapshots WHERE id IN (
           SELECT id FROM metrics_snapshots WHERE "timestamp" < $1 LIMIT ${limit}
         ) RETURNING id`,
      );
      const issues = await deleteBatch(
        'store: prune issues',
        `DELETE FROM issues WHERE id IN (
           SELECT id FROM issues WHERE assessment_id IN (
             SELECT id FROM health_assessments WHERE "timestamp" < $1
           ) LIMIT ${limit}
         ) RETURNING id`,
      );
      const assessments = await deleteBatch(
        'store: prune assessments',
        `DELETE FROM health_assessments WHERE id IN (
           SELECT id FROM health_assessments WHERE "timestamp" < $1 LIMIT ${limit}
         ) RETURNING id`,
      );
      return { snapshots, assessments, issues };
    },
  };
  return store;
}
