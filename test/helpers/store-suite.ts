import { randomUUID } from 'node:crypto';

import { describe, expect, it, onTestFinished } from 'vitest';

import type { Signals } from '../../src/health/types.js';
import type { SqlDriver } from '../../src/store/driver.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import {
  createAssessmentStore,
  DEFAULT_RETENTION_DAYS,
  PRUNE_BATCH,
  retentionCutoff,
  type AssessmentInput,
  type Observation,
} from '../../src/store/repository.js';

/**
 * How the shared store suite gets databases. Every call gives a fresh, empty database (or schema)
 * of its own, so tests never see each other's rows.
 */
export interface StoreSuiteBackend {
  /** A driver on a fresh, empty database. The suite closes it when the test ends. */
  fresh(): Promise<SqlDriver>;
  /**
   * A fresh, empty database that survives its drivers: each call of the returned function opens
   * a new driver on it (one at a time). The suite closes the drivers; the backend cleans up.
   */
  durable(): Promise<() => Promise<SqlDriver>>;
}

export const signals = (throughput: number, at: Date): Signals => ({
  timestamp: at.toISOString(),
  primary_signals: { state_transitions: { throughput_per_sec: throughput, latency_p95_ms: null } },
  worker_signals: { workflow_pollers: 4 },
});

export const assessment = (
  at: Date,
  overrides: Partial<AssessmentInput> = {},
): AssessmentInput => ({
  trigger: 'scheduled',
  health_state: 'stressed',
  summary: 'History backlog is growing.',
  services: { history: { status: 'stressed' } },
  issues: [
    {
      severity: 'warning',
      title: 'Backlog age rising',
      description: 'history backlog p95 is 4 s',
      likely_cause: 'persistence latency',
      suggested_actions: ['add history capacity'],
      related_metrics: ['history.backlog_age_sec'],
    },
    { severity: 'critical', title: 'Persistence errors', description: '12/s' },
  ],
  recommended_actions: [
    {
      action_type: 'scale',
      target_service: 'history',
      description: 'scale history',
      confidence: 0.7,
      parameters: null,
      risk_level: 'low',
    },
  ],
  metrics_snapshot: { primary_signals: { history: { backlog_age_sec: 4 } } },
  at,
  ...overrides,
});

const observation = (cycle: number): Observation => ({
  health_state: 'stressed',
  scale_band: 'mid-scale',
  consecutive_critical: 0,
  fired_gates: ['backlog_age'],
  reasons: ['history backlog age 4 s > 2 s'],
  is_idle: false,
  cycle,
  cadence_s: 30,
  duration_ms: 412,
  log_patterns: [
    { pattern: 'persistence timeout', service: 'history', count: 3, sample_message: 'timeout' },
  ],
  errors: [],
});

const T0 = new Date('2026-11-01T12:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

async function count(db: SqlDriver, table: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `count ${table}`,
    `SELECT count(*)::int AS n FROM ${table}`,
  );
  return Number(rows[0]?.n);
}

/**
 * The assessment store's behaviour, the same on every backend. Run by the unit tests on PGlite
 * and by the integration tests on a real PostgreSQL.
 */
export function describeStoreSuite(name: string, backend: StoreSuiteBackend): void {
  const closing = (db: SqlDriver): SqlDriver => {
    onTestFinished(() => db.close().catch(() => undefined));
    return db;
  };
  const fresh = async () => closing(await backend.fresh());
  const openStore = async () => {
    const db = await fresh();
    await migrate(db);
    return { db, store: createAssessmentStore(db) };
  };

  describe(`assessment store (${name})`, () => {
    it('round-trips snapshots; latest and since are ordered by time', async () => {
      const { store } = await openStore();
      expect(await store.latestSnapshot()).toBeUndefined();
      await store.saveSnapshot(signals(2, minutes(2)), minutes(2));
      const first = await store.saveSnapshot(signals(1, minutes(1)), minutes(1));
      await store.saveSnapshot(signals(3, minutes(3)), minutes(3));
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);

      const latest = await store.latestSnapshot();
      expect(latest?.timestamp).toBe(minutes(3).toISOString());
      expect(latest?.signals).toEqual(signals(3, minutes(3)));

      const since = await store.snapshotsSince(minutes(2), 10);
      expect(since.map((s) => s.timestamp)).toEqual(
        [minutes(2), minutes(3)].map((d) => d.toISOString()),
      );
      expect(await store.snapshotsSince(minutes(0), 1)).toEqual([first]);
    });

    it('round-trips the observation stored with a snapshot; none reads back as null', async () => {
      const { store } = await openStore();
      const plain = await store.saveSnapshot(signals(1, minutes(1)), minutes(1));
      const observed = await store.saveSnapshot(signals(2, minutes(2)), minutes(2), {
        observation: observation(7),
      });
      expect(plain.observation).toBeNull();
      expect(observed.observation).toEqual(observation(7));
      expect(await store.latestSnapshot()).toEqual(observed);
      const since = await store.snapshotsSince(minutes(0), 10);
      expect(since).toEqual([plain, observed]);
      expect(since[0]?.observation).toBeNull();
      expect(since[1]?.observation).toEqual(observation(7));
    });

    it('stores a snapshot saved twice under one id once, and returns the stored one', async () => {
      const { db, store } = await openStore();
      const id = randomUUID();
      const first = await store.saveSnapshot(signals(1, minutes(1)), minutes(1), {
        id,
        observation: observation(1),
      });
      // A retried activity may come back with different inputs; the first write stands.
      const again = await store.saveSnapshot(signals(9, minutes(5)), minutes(5), {
        id,
        observation: observation(2),
      });
      expect(again).toEqual(first);
      expect(await count(db, 'metrics_snapshots')).toBe(1);
      expect(await store.latestSnapshot()).toEqual(first);
    });

    it('round-trips an assessment with its issues and recommended actions', async () => {
      const { store } = await openStore();
      expect(await store.latestAssessment()).toBeUndefined();
      const saved = await store.saveAssessment(assessment(minutes(5)));
      const read = await store.latestAssessment();
      expect(read).toEqual(saved);
      expect(await store.assessmentById(saved.id)).toEqual(saved);
      expect(await store.assessmentById(randomUUID())).toBeUndefined();
      expect(read?.recommended_actions).toEqual([
        {
          action_type: 'scale',
          target_service: 'history',
          description: 'scale history',
          confidence: 0.7,
          parameters: null,
          risk_level: 'low',
        },
      ]);
      expect(read?.health_state).toBe('stressed');
      expect(read?.issues.every((i) => i.assessment_id === saved.id)).toBe(true);
      expect(read?.explanation).toBeNull();

      const explained = await store.saveAssessment({
        ...assessment(minutes(6)),
        explanation: { explainer: 'narrator', watch_next: ['history backlog'] },
      });
      expect((await store.latestAssessment())?.explanation).toEqual({
        explainer: 'narrator',
        watch_next: ['history backlog'],
      });
      expect(await store.assessmentById(explained.id)).toEqual(explained);
    });

    it('stores an assessment saved twice under one id once, and returns the stored one', async () => {
      const { db, store } = await openStore();
      const id = randomUUID();
      const first = await store.saveAssessment(assessment(minutes(1), { id }));
      const again = await store.saveAssessment(
        assessment(minutes(2), { id, summary: 'something else', issues: [] }),
      );
      expect(again).toEqual(first);
      expect(again.summary).toBe('History backlog is growing.');
      expect(await count(db, 'health_assessments')).toBe(1);
      expect(await count(db, 'issues')).toBe(2);
      expect(await store.issuesOf(id, { limit: 10 })).toHaveLength(2);
    });

    it('links issue rows to their assessment, most severe first, filterable', async () => {
      const { store } = await openStore();
      const a = await store.saveAssessment(assessment(minutes(1)));
      const b = await store.saveAssessment(assessment(minutes(2), { issues: [] }));

      const issues = await store.issuesOf(a.id, { limit: 10 });
      expect(issues.map((i) => i.severity)).toEqual(['critical', 'warning']);
      expect(issues[1]).toMatchObject({
        assessment_id: a.id,
        title: 'Backlog age rising',
        likely_cause: 'persistence latency',
        suggested_actions: ['add history capacity'],
        related_metrics: ['history.backlog_age_sec'],
        resolved_at: null,
      });
      expect(issues[0]).toMatchObject({ likely_cause: null, suggested_actions: [] });
      expect(await store.issuesOf(a.id, { severity: 'warning', limit: 10 })).toHaveLength(1);
      expect(await store.issuesOf(a.id, { limit: 1 })).toHaveLength(1);
      expect(await store.issuesOf(b.id, { limit: 10 })).toEqual([]);
    });

    it('lists assessments in a half-open time range, oldest first', async () => {
      const { store } = await openStore();
      for (const m of [3, 1, 2, 4]) await store.saveAssessment(assessment(minutes(m)));
      const between = await store.assessmentsBetween(minutes(2), minutes(4));
      expect(between.map((a) => a.timestamp)).toEqual(
        [minutes(2), minutes(3)].map((d) => d.toISOString()),
      );
    });

    it('tells whether an assessment exists at or after a time', async () => {
      const { store } = await openStore();
      expect(await store.hasAssessmentSince(days(-100))).toBe(false);
      await store.saveAssessment(assessment(minutes(10)));
      expect(await store.hasAssessmentSince(minutes(9))).toBe(true);
      expect(await store.hasAssessmentSince(minutes(10))).toBe(true);
      expect(await store.hasAssessmentSince(new Date(minutes(10).getTime() + 1))).toBe(false);
    });

    it('pings while the store answers, and fails with a named StoreQueryError once closed', async () => {
      const { db, store } = await openStore();
      await expect(store.ping()).resolves.toBeUndefined();
      await db.close();
      await expect(store.ping()).rejects.toMatchObject({
        name: 'StoreQueryError',
        queryName: 'store: ping',
      });
    });

    it('prunes exactly the rows older than the cut-off, with their issues', async () => {
      const { db, store } = await openStore();
      const now = days(10);
      const cutoff = retentionCutoff(now);
      expect(cutoff).toEqual(days(10 - DEFAULT_RETENTION_DAYS));

      const oldAssessments = [days(0), days(2), new Date(cutoff.getTime() - 1)];
      const keptAssessments = [cutoff, days(5), days(9)];
      for (const at of [...oldAssessments, ...keptAssessments]) {
        await store.saveAssessment(assessment(at));
        await store.saveSnapshot(signals(1, at), at);
      }
      const result = await store.prune(cutoff);
      expect(result).toEqual({ snapshots: 3, assessments: 3, issues: 6 });

      const left = await store.assessmentsBetween(days(-100), days(100));
      expect(left.map((a) => a.timestamp)).toEqual(keptAssessments.map((d) => d.toISOString()));
      expect((await store.snapshotsSince(days(-100), 100)).map((s) => s.timestamp)).toEqual(
        keptAssessments.map((d) => d.toISOString()),
      );
      const issueRows = await db.query<{ assessment_id: string }>(
        'all issues',
        'SELECT assessment_id FROM issues',
      );
      expect(issueRows).toHaveLength(6);
      const keptIds = new Set(left.map((a) => a.id));
      expect(issueRows.every((r) => keptIds.has(r.assessment_id))).toBe(true);

      expect(await store.prune(cutoff)).toEqual({ snapshots: 0, assessments: 0, issues: 0 });
    });

    it('prunes more than one batch', async () => {
      const { store } = await openStore();
      const n = PRUNE_BATCH + 7;
      for (let i = 0; i < n; i++) await store.saveSnapshot(signals(i, minutes(i)), minutes(i));
      expect(await store.prune(days(1))).toEqual({ snapshots: n, assessments: 0, issues: 0 });
      expect(await store.latestSnapshot()).toBeUndefined();
    });

    it('adds migrations 10 and later to a database that has migrations 1–9, keeping its rows', async () => {
      const db = await fresh();
      const LATER = MIGRATIONS.map((m) => m.version).filter((v) => v > 9);
      const LATEST = Math.max(...LATER);
      const upTo9 = MIGRATIONS.filter((m) => m.version <= 9);
      expect((await migrate(db, upTo9)).version).toBe(9);
      // A row as the code before migration 10 wrote it: no observation column yet.
      const old = { id: randomUUID(), at: minutes(1) };
      await db.query(
        'old snapshot',
        'INSERT INTO metrics_snapshots (id, "timestamp", metrics) VALUES ($1, $2, $3)',
        [old.id, old.at, JSON.stringify(signals(1, old.at))],
      );

      const report = await migrate(db);
      expect(report).toEqual({ applied: LATER, version: LATEST });
      const store = createAssessmentStore(db);
      expect(await store.latestSnapshot()).toEqual({
        id: old.id,
        timestamp: old.at.toISOString(),
        signals: signals(1, old.at),
        observation: null,
      });
      const fresh10 = await store.saveSnapshot(signals(2, minutes(2)), minutes(2), {
        observation: observation(3),
      });
      expect(await store.latestSnapshot()).toEqual(fresh10);
      expect(await migrate(db)).toEqual({ applied: [], version: LATEST });
    });

    it("keeps each cluster's snapshots and assessments apart; rows from before clusters are the default's", async () => {
      const db = await fresh();
      const upTo11 = MIGRATIONS.filter((m) => m.version <= 11);
      await migrate(db, upTo11);
      // Rows as the code before migration 12 wrote them: no cluster column yet.
      const before = createAssessmentStore(db);
      const oldSnapshot = { id: randomUUID(), at: minutes(1) };
      await db.query(
        'old snapshot',
        'INSERT INTO metrics_snapshots (id, "timestamp", metrics) VALUES ($1, $2, $3)',
        [oldSnapshot.id, oldSnapshot.at, JSON.stringify(signals(1, oldSnapshot.at))],
      );
      await db.query(
        'old assessment',
        `INSERT INTO health_assessments (id, "timestamp", trigger, overall_status, services, issues,
           natural_language_summary, recommended_actions)
         VALUES ($1, $2, 'scheduled', 'happy', '{}', '[]', 'old', '[]')`,
        [randomUUID(), minutes(1)],
      );
      expect(before.cluster).toBe('local');
      expect((await migrate(db)).applied).toEqual([12, 13, 14, 15, 16]);

      const east = createAssessmentStore(db, { defaultCluster: 'east' });
      const west = east.forCluster('west');
      expect([east.cluster, west.cluster, west.forCluster('east').cluster]).toEqual([
        'east',
        'west',
        'east',
      ]);
      // The default cluster owns the rows written before clusters; another cluster sees none.
      expect((await east.latestSnapshot())?.id).toBe(oldSnapshot.id);
      expect((await east.latestAssessment())?.summary).toBe('old');
      expect(await west.latestSnapshot()).toBeUndefined();
      expect(await west.latestAssessment()).toBeUndefined();

      const w = await west.saveSnapshot(signals(9, minutes(5)), minutes(5));
      const e = await east.saveSnapshot(signals(3, minutes(4)), minutes(4));
      const wa = await west.saveAssessment(assessment(minutes(5), { summary: 'west' }));
      expect((await west.latestSnapshot())?.id).toBe(w.id);
      expect((await east.latestSnapshot())?.id).toBe(e.id);
      expect((await west.snapshotsSince(minutes(0), 10)).map((s) => s.id)).toEqual([w.id]);
      expect((await east.snapshotsSince(minutes(0), 10)).map((s) => s.id)).toEqual([
        oldSnapshot.id,
        e.id,
      ]);
      expect((await east.latestAssessment())?.summary).toBe('old');
      expect((await west.latestAssessment())?.id).toBe(wa.id);
      expect(await east.hasAssessmentSince(minutes(2))).toBe(false);
      expect(await west.hasAssessmentSince(minutes(2))).toBe(true);
      expect((await east.assessmentsBetween(minutes(0), minutes(9))).map((a) => a.summary)).toEqual(
        ['old'],
      );
      expect((await west.issuesOf(wa.id, { limit: 10 })).length).toBe(2);
      const stored = await db.query<{ cluster: string | null }>(
        'clusters of rows',
        'SELECT cluster FROM metrics_snapshots ORDER BY "timestamp"',
      );
      expect(stored.map((r) => r.cluster)).toEqual([null, 'east', 'west']);
      const issues = await db.query<{ cluster: string | null }>(
        'clusters of issues',
        'SELECT DISTINCT cluster FROM issues',
      );
      expect(issues.map((r) => r.cluster)).toEqual(['west']);
      // Retention is store-wide: every cluster's old rows go.
      expect(await east.prune(minutes(60))).toEqual({ snapshots: 3, assessments: 2, issues: 2 });
    });

    it('keeps data across drivers: a reopen finds it, and migrations do not re-run', async () => {
      const open = await backend.durable();
      const first = closing(await open());
      await migrate(first);
      const firstStore = createAssessmentStore(first);
      const saved = await firstStore.saveAssessment(assessment(minutes(1)));
      await firstStore.saveSnapshot(signals(7, minutes(1)), minutes(1));
      await first.close();

      const db = closing(await open());
      expect((await migrate(db)).applied).toEqual([]);
      const store = createAssessmentStore(db);
      expect(await store.latestAssessment()).toEqual(saved);
      expect((await store.latestSnapshot())?.signals).toEqual(signals(7, minutes(1)));
      expect(await store.issuesOf(saved.id, { limit: 10 })).toHaveLength(2);
    });
  });
}
