import { describe, expect, it, onTestFinished } from 'vitest';

import { makeTempDir } from '../../test/helpers/temp-dir.js';
import type { Signals } from '../health/types.js';

import { createPgliteDriver } from './driver.js';
import { migrate } from './migrations.js';
import {
  createAssessmentStore,
  DEFAULT_RETENTION_DAYS,
  PRUNE_BATCH,
  retentionCutoff,
  type AssessmentInput,
} from './repository.js';

async function openStore(dataDir = 'memory') {
  const db = await createPgliteDriver(dataDir);
  await migrate(db);
  return { db, store: createAssessmentStore(db) };
}

async function memoryStore() {
  const opened = await openStore();
  onTestFinished(() => opened.db.close());
  return opened;
}

const signals = (throughput: number, at: Date): Signals => ({
  timestamp: at.toISOString(),
  primary_signals: { state_transitions: { throughput_per_sec: throughput, latency_p95_ms: null } },
  worker_signals: { workflow_pollers: 4 },
});

const assessment = (at: Date, overrides: Partial<AssessmentInput> = {}): AssessmentInput => ({
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

const T0 = new Date('2026-11-01T12:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe('assessment store (real PGlite)', () => {
  it('round-trips snapshots; latest and since are ordered by time', async () => {
    const { store } = await memoryStore();
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

  it('round-trips an assessment with its issues and recommended actions', async () => {
    const { store } = await memoryStore();
    expect(await store.latestAssessment()).toBeUndefined();
    const saved = await store.saveAssessment(assessment(minutes(5)));
    const read = await store.latestAssessment();
    expect(read).toEqual(saved);
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
  });

  it('links issue rows to their assessment, most severe first, filterable', async () => {
    const { store } = await memoryStore();
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
    const { store } = await memoryStore();
    for (const m of [3, 1, 2, 4]) await store.saveAssessment(assessment(minutes(m)));
    const between = await store.assessmentsBetween(minutes(2), minutes(4));
    expect(between.map((a) => a.timestamp)).toEqual(
      [minutes(2), minutes(3)].map((d) => d.toISOString()),
    );
  });

  it('prunes exactly the rows older than the cut-off, with their issues', async () => {
    const { db, store } = await memoryStore();
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
    const { store } = await memoryStore();
    const n = PRUNE_BATCH + 7;
    for (let i = 0; i < n; i++) await store.saveSnapshot(signals(i, minutes(i)), minutes(i));
    expect(await store.prune(days(1))).toEqual({ snapshots: n, assessments: 0, issues: 0 });
    expect(await store.latestSnapshot()).toBeUndefined();
  });

  it('persists to a directory: data survives a reopen, migrations do not re-run', async () => {
    const dir = makeTempDir('headway-store-');
    onTestFinished(dir.remove);
    const first = await openStore(`${dir.path}/store`);
    const saved = await first.store.saveAssessment(assessment(minutes(1)));
    await first.store.saveSnapshot(signals(7, minutes(1)), minutes(1));
    await first.db.close();

    const db = await createPgliteDriver(`${dir.path}/store`);
    onTestFinished(() => db.close());
    expect((await migrate(db)).applied).toEqual([]);
    const store = createAssessmentStore(db);
    expect(await store.latestAssessment()).toEqual(saved);
    expect((await store.latestSnapshot())?.signals).toEqual(signals(7, minutes(1)));
    expect(await store.issuesOf(saved.id, { limit: 10 })).toHaveLength(2);
  });
});
