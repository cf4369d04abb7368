import type { Signals } from '../../src/model/signals.js';
import { createPgliteDriver, MEMORY, type SqlDriver } from '../../src/store/driver.js';
import { migrate } from '../../src/store/migrations.js';
import {
  createAssessmentStore,
  type Assessment,
  type AssessmentInput,
  type AssessmentStore,
  type Observation,
  type Snapshot,
} from '../../src/store/repository.js';

import { makeSignals } from './make-signals.js';

/**
 * Realistic rows for the API's tests and benchmark: a stressed starter cluster whose history
 * backlog and persistence latency are high, the observation the workflow would store with it, and
 * an assessment with issues and actions. Not used at run time.
 */

export interface OpenedStore {
  readonly db: SqlDriver;
  readonly store: AssessmentStore;
  close(): Promise<void>;
}

/** A migrated PGlite store: in memory by default, or in `dataDir`. */
export async function openStore(dataDir: string = MEMORY): Promise<OpenedStore> {
  const db = await createPgliteDriver(dataDir);
  await migrate(db);
  return { db, store: createAssessmentStore(db), close: () => db.close() };
}

/** Deletes every snapshot, assessment and issue: a fresh store costs seconds, this milliseconds. */
export async function resetStore(db: SqlDriver): Promise<void> {
  for (const table of ['issues', 'health_assessments', 'metrics_snapshots']) {
    await db.query(`test: reset ${table}`, `DELETE FROM ${table}`);
  }
}

/** Signals of a loaded cluster under pressure, with amplifiers, worker signals and quality. */
export function stressedSignals(at: Date): Signals {
  const base = makeSignals(
    { throughput: 42, historyBacklog: 150, persistenceP99: 640, frontendP99: 180, processing: 60 },
    {
      timestamp: at.toISOString(),
      quality: {
        prometheus_ok: true,
        target_up: true,
        scrape_age_s: 4,
        unavailable: ['amplifiers.runtime.goroutines', 'amplifiers.host.gc_pause_ms'],
      },
      worker: {
        workflow_slots_available: 180,
        activity_slots_available: 12,
        workflow_slots_used: 20,
        activity_slots_used: 188,
        wft_schedule_to_start_p95_ms: 35,
      },
    },
  );
  return {
    ...base,
    amplifiers: {
      persistence: { occ_conflicts_per_sec: 2.5, cas_failures_per_sec: 0.1 },
      connection_pool: { utilization_pct: 88, churn_rate_per_sec: 1.5, wait_count: 14 },
      queue: { task_backlog_depth: 420 },
      runtime: { goroutines: null },
      host: { gc_pause_ms: null, cpu_throttle_pct: 12 },
    },
  };
}

export function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    health_state: 'stressed',
    scale_band: 'starter',
    consecutive_critical: 0,
    fired_gates: ['stressed.history_backlog', 'stressed.persistence_latency'],
    reasons: [
      'stressed gate stressed.history_backlog fired: history.backlog_age_sec 150 > 120',
      'stressed gate stressed.persistence_latency fired: persistence.latency_p99_ms 640 > 500',
    ],
    is_idle: false,
    cycle: 42,
    cadence_s: 30,
    duration_ms: 184,
    log_patterns: [
      {
        pattern: 'reservoir discard',
        service: 'history',
        count: 128,
        sample_message: 'reservoir discard: connection lifetime exceeded',
      },
      {
        pattern: 'deadline exceeded',
        service: 'frontend',
        count: 7,
        sample_message: 'context deadline exceeded',
      },
    ],
    errors: [],
    ...overrides,
  };
}

export function assessmentInput(
  at: Date,
  overrides: Partial<AssessmentInput> = {},
): AssessmentInput {
  return {
    trigger: 'state_change',
    health_state: 'stressed',
    summary:
      'History tasks wait 150 s (p95) while persistence p99 is 640 ms: the store is the bottleneck.',
    services: {},
    issues: [
      {
        severity: 'warning',
        title: 'History backlog rising',
        description: 'History task backlog p95 is 150 s (stress threshold 120 s).',
        likely_cause: 'Slow persistence: p99 640 ms.',
        suggested_actions: ['Check the persistence store latency', 'Add history capacity'],
        related_metrics: ['primary_signals.history.backlog_age_sec'],
      },
      {
        severity: 'critical',
        title: 'Persistence latency high',
        description: 'Persistence p99 is 640 ms (stress threshold 500 ms).',
        likely_cause: 'Connection pool 88% used; OCC conflicts 2.5/s.',
        suggested_actions: ['Raise persistence.maxConns'],
        related_metrics: [
          'primary_signals.persistence.latency_p99_ms',
          'amplifiers.connection_pool.utilization_pct',
        ],
      },
      {
        severity: 'info',
        title: 'Log pattern: reservoir discard',
        description: '128 reservoir discards in the last window.',
      },
    ],
    recommended_actions: [
      {
        action_type: 'scale',
        target_service: 'history',
        description: 'Add one history replica',
        confidence: 0.71,
        parameters: { replicas: 3 },
        risk_level: 'low',
      },
      {
        action_type: 'tune',
        target_service: 'persistence',
        description: 'Raise persistence.maxConns from 10 to 20',
        confidence: 0.64,
        parameters: null,
        risk_level: 'medium',
      },
    ],
    metrics_snapshot: stressedSignals(at),
    at,
    ...overrides,
  };
}

export interface Seeded {
  readonly snapshot: Snapshot;
  readonly assessment: Assessment;
}

/**
 * A stressed cluster: an earlier happy assessment, then the stressed one (5 s before `now`), and a
 * fresh observation (2 s before `now`).
 */
export async function seedStressed(store: AssessmentStore, now: Date): Promise<Seeded> {
  const ago = (s: number): Date => new Date(now.getTime() - s * 1000);
  await store.saveAssessment(
    assessmentInput(ago(3600), {
      health_state: 'happy',
      trigger: 'scheduled',
      summary: 'Forward progress healthy.',
      issues: [],
      recommended_actions: [],
    }),
  );
  const assessment = await store.saveAssessment(assessmentInput(ago(5)));
  const snapshot = await store.saveSnapshot(stressedSignals(ago(2)), ago(2), {
    observation: observation(),
  });
  return { snapshot, assessment };
}
