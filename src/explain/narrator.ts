import {
  classifyBottleneck,
  workerScalingWarnings,
  type BottleneckResult,
} from '../health/bottleneck.js';
import { F, dispatchStalled, readSignal } from '../health/evaluate.js';
import { serviceHealth, type ServiceHealth } from '../health/services.js';
import {
  DEFAULT_THRESHOLDS,
  type ResolvedThresholds,
  type Thresholds,
} from '../health/thresholds.js';
import { trends, type SignalTrend } from '../health/trends.js';
import type { Evaluation, Gate, HealthState, Signals, SignalValue } from '../health/types.js';
import { LOG_PATTERNS, sanitizeLogText } from '../signals/log-patterns.js';

import type {
  Citation,
  ContributingFactor,
  DraftAction,
  DraftIssue,
  ExplainInput,
  Explanation,
  IssueSeverity,
  KnowledgeBase,
  LogEvidence,
  RiskLevel,
  ServiceStory,
} from './explanation.js';

/**
 * The narrator: the default explainer. It tells what the rules decided as a short story in which
 * the services are actors, ranks the reasons, proposes actions and says what to watch next.
 *
 * Pure and deterministic: no clock, no I/O, no randomness; the same input gives the same text.
 * It never re-decides anything. The state is copied from the evaluation, problems are named only
 * when a gate fired (or, off the gates, at a severity the state allows), and an unknown state gets
 * only data-restoring advice. Log lines are untrusted: they are quoted, sanitized and bounded, and
 * never choose a cause, a severity or an action.
 */

export type NarrateInput = ExplainInput & { readonly kb?: KnowledgeBase };

/** How the narrator talks about each gate. `problem` always contains `subject`. */
export interface GateStory {
  readonly subject: string;
  readonly problem: string;
  readonly unit: string;
}

export const GATE_STORIES: Readonly<Record<string, GateStory>> = {
  'critical.throughput': {
    subject: 'state transitions',
    problem: 'state transitions have almost stopped',
    unit: '/s',
  },
  'critical.completion_rate': {
    subject: 'workflow completions',
    problem: 'workflow completions are mostly failures',
    unit: 'ratio',
  },
  'critical.history_processing': {
    subject: 'history task processing',
    problem: 'history task processing has stalled',
    unit: '/s',
  },
  'critical.history_backlog': {
    subject: 'history backlog',
    problem: 'the history backlog is far behind',
    unit: 's',
  },
  'critical.persistence_errors': {
    subject: 'persistence errors',
    problem: 'persistence errors exceed what retries absorb',
    unit: '/s',
  },
  'stressed.transition_latency': {
    subject: 'state transition latency',
    problem: 'state transition latency is high',
    unit: 'ms',
  },
  'stressed.history_backlog': {
    subject: 'history backlog',
    problem: 'the history backlog is growing',
    unit: 's',
  },
  'stressed.frontend_latency': {
    subject: 'frontend latency',
    problem: 'frontend latency is high',
    unit: 'ms',
  },
  'stressed.persistence_latency': {
    subject: 'persistence latency',
    problem: 'persistence latency is high',
    unit: 'ms',
  },
  'stressed.shard_churn': {
    subject: 'shard churn',
    problem: 'shard churn is high as history shards keep moving',
    unit: '/s',
  },
  'critical.matching_dispatch': {
    subject: 'task dispatch',
    problem: 'task dispatch has almost stopped: tasks reach matching and no worker takes them',
    unit: 'ratio',
  },
  'stressed.matching_dispatch': {
    subject: 'task dispatch',
    problem: 'task dispatch lags: workers take fewer tasks than arrive',
    unit: 'ratio',
  },
  'stressed.server_restarts': {
    subject: 'server restarts',
    problem: 'server restarts in the last two minutes interrupted work in flight',
    unit: '',
  },
  'stressed.poller_timeouts': {
    subject: 'poll timeouts',
    problem: 'poll timeouts dominate as worker polls return empty',
    unit: 'ratio',
  },
};

/** Where the narrator may send an operator when the state is unknown: data sources only. */
export const DATA_RESTORING_TARGETS: readonly string[] = ['prometheus', 'temporal-server'];

const QUOTE_MAX_CHARS = 160;
const LABEL_MAX_CHARS = 60;
const MAX_ACTIONS = 5;
const MAX_FACTORS = 6;
const MAX_LOG_ISSUES = 3;
const MAX_LOG_EVIDENCE = 5;

// ---- small text helpers ------------------------------------------------------------------------

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return Number(x.toFixed(1)).toString();
  return Number(x.toPrecision(2)).toString();
}

const pct = (ratio: number): string => `${Math.round(ratio * 100)} %`;

function withUnit(x: number, unit: string): string {
  if (unit === '') return num(x);
  if (unit === 'ratio') return pct(x);
  if (unit === '/s') return `${num(x)}/s`;
  return `${num(x)} ${unit}`;
}

const capitalize = (s: string): string => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const clamp01 = (x: number): number => Math.min(0.95, Math.max(0.05, x));

const DISPLAY_NAME: Readonly<Record<string, string>> = {
  history: 'history',
  matching: 'matching',
  frontend: 'the frontend',
  persistence: 'persistence',
  workers: 'workers',
};

const SIGNAL_LABEL: Readonly<Record<string, string>> = {
  [F.throughput]: 'state transitions',
  [F.completionRate]: 'completion rate',
  [F.historyBacklog]: 'history backlog age',
  [F.persistenceP99]: 'persistence latency p99',
  [F.persistenceErrors]: 'persistence errors',
  [F.frontendP99]: 'frontend latency p99',
  [F.matchingWorkflowBacklog]: 'matching workflow backlog age',
};

const shortField = (f: string): string => f.replace(/^(primary_signals|amplifiers)\./, '');

// ---- the context every part of the story reads -------------------------------------------------

const A = {
  occ: 'amplifiers.persistence.occ_conflicts_per_sec',
  serialization: 'amplifiers.persistence.serialization_failures_per_sec',
  cas: 'amplifiers.persistence.cas_failures_per_sec',
  ownershipLost: 'amplifiers.persistence.shard_ownership_lost_per_sec',
  poolUtil: 'amplifiers.connection_pool.utilization_pct',
  poolWait: 'amplifiers.connection_pool.wait_duration_ms',
  cacheHit: 'amplifiers.cache.hit_rate',
  hotShard: 'amplifiers.shard.hot_shard_ratio',
  cpuThrottle: 'amplifiers.host.cpu_throttle_pct',
  rateLimit: 'amplifiers.throttling.rate_limit_events_per_sec',
  admission: 'amplifiers.throttling.admission_rejects_per_sec',
} as const;

/** Not a gate's signal, but the clearest sign of misrouted work. */
const NO_POLLER = 'primary_signals.poller.no_poller_tasks_per_sec';

const W = {
  wfAvail: 'worker_signals.workflow_slots_available',
  wfUsed: 'worker_signals.workflow_slots_used',
  actAvail: 'worker_signals.activity_slots_available',
  actUsed: 'worker_signals.activity_slots_used',
  s2s: 'worker_signals.wft_schedule_to_start_p95_ms',
  actS2s: 'worker_signals.activity_schedule_to_start_p95_ms',
  wfPollers: 'worker_signals.workflow_pollers',
  actPollers: 'worker_signals.activity_pollers',
  stickyHit: 'worker_signals.sticky_cache_hit_rate',
} as const;

interface Context {
  readonly signals: Signals;
  readonly evaluation: Evaluation;
  readonly state: HealthState;
  readonly thresholds: ResolvedThresholds;
  readonly t: Thresholds;
  readonly v: (field: string) => SignalValue;
  readonly services: readonly ServiceHealth[];
  readonly bottleneck: BottleneckResult;
  readonly trends: readonly SignalTrend[];
  readonly window: number;
  /** Non-healthy gates the evaluation counts as fired (none when the state is happy or unknown). */
  readonly fired: readonly Gate[];
  readonly e: Evidence;
}

/** What the metrics (never the logs) say about likely causes. */
interface Evidence {
  readonly persistenceSlow: boolean;
  readonly persistenceFailing: boolean;
  readonly poolSaturated: boolean;
  readonly occHigh: boolean;
  readonly throttled: boolean;
  readonly shardsMoving: boolean;
  readonly cpuThrottled: boolean;
  readonly cacheThrashing: boolean;
  readonly hotShard: boolean;
  readonly retention: boolean;
  readonly noPollers: boolean;
  /** Tasks reach matching faster than workers take them (dispatch ratio below stressed). */
  readonly dispatchLagging: boolean;
  readonly matchingWaiting: boolean;
  readonly slotsExhausted: boolean;
  readonly workerMetrics: boolean;
}

function over(x: SignalValue, limit: number): boolean {
  return x !== null && x > limit;
}

function buildContext(input: NarrateInput): Context {
  const { evaluation, signals } = input;
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const t = thresholds.profiles[evaluation.scale_band] ?? thresholds.profiles.starter;
  const v = (field: string): SignalValue => readSignal(signals, field);
  const state = evaluation.health_state;
  const ids = new Set(evaluation.fired_gates);
  const fired =
    state === 'stressed' || state === 'critical'
      ? evaluation.gates
          .filter((g) => g.kind !== 'healthy' && ids.has(g.id))
          .sort((a, b) => kindRank(b) - kindRank(a) || ratioOf(b) - ratioOf(a))
      : [];
  const matchingOldest = Math.max(
    v(F.matchingWorkflowBacklog) ?? 0,
    v(F.matchingActivityBacklog) ?? 0,
  );
  const slots = [v(W.wfAvail), v(W.actAvail)];
  const e: Evidence = {
    persistenceSlow: over(v(F.persistenceP99), t.stressed.persistence_latency_p99_max_ms),
    persistenceFailing: over(v(F.persistenceErrors), t.critical.persistence_error_rate_max_per_sec),
    poolSaturated: over(v(A.poolUtil), 85),
    occHigh: over(v(A.occ), 5) || over(v(A.serialization), 5) || over(v(A.cas), 5),
    throttled: over(v(A.rateLimit), 0.5) || over(v(A.admission), 0.5),
    shardsMoving:
      over(v(F.shardChurn), t.stressed.shard_churn_rate_max_per_sec / 2) ||
      over(v(A.ownershipLost), 1),
    cpuThrottled: over(v(A.cpuThrottle), 20),
    cacheThrashing: v(A.cacheHit) !== null && v(A.cacheHit)! < 0.8,
    hotShard: over(v(A.hotShard), 3),
    retention:
      evaluation.is_system_busy ||
      (v(F.deletion) ?? 0) >= thresholds.rules.system_busy.deletion_min ||
      (v(F.cleanup) ?? 0) >= thresholds.rules.system_busy.cleanup_min,
    noPollers: over(v(NO_POLLER), 0.1),
    dispatchLagging: dispatchStalled(v, t, thresholds.rules),
    matchingWaiting: matchingOldest > t.stressed.history_backlog_age_stress_sec,
    slotsExhausted: slots.some((x) => x === 0),
    workerMetrics: slots.some((x) => x !== null),
  };
  return {
    signals,
    evaluation,
    state,
    thresholds,
    t,
    v,
    services: serviceHealth(signals, evaluation, thresholds),
    bottleneck: classifyBottleneck(signals, evaluation, thresholds),
    trends: trends(input.window),
    window: input.window.length,
    fired,
    e,
  };
}

const kindRank = (g: Gate): number => (g.kind === 'critical' ? 2 : g.kind === 'stressed' ? 1 : 0);

/** How far past (> 1) or short of (< 1) its threshold a gate's observation is. */
function ratioOf(g: Gate): number {
  const x = g.observed;
  if (x === null) return 0;
  if (g.condition.startsWith('<')) {
    if (x <= 0) return g.threshold > 0 ? Number.POSITIVE_INFINITY : 0;
    return g.threshold / x;
  }
  if (g.threshold <= 0) return x > 0 ? Number.POSITIVE_INFINITY : 0;
  return x / g.threshold;
}

/** 0 at the threshold, approaching 1 far past it. */
const pastness = (r: number): number =>
  Number.isFinite(r) ? Math.max(0, 1 - 1 / Math.max(r, 1)) : 1;

// ---- causes: one per explanation, shared by every gate it explains ------------------------------

interface ActionSeed {
  readonly action_type: 'investigate' | 'scale' | 'configure' | 'restart' | 'monitor';
  readonly target_service: string;
  readonly description: string;
  readonly confidence: number;
  readonly risk_level: RiskLevel;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

interface Cause {
  readonly key: string;
  /** The actor the cause lives in (also the first action's target). */
  readonly service: string;
  readonly text: string;
  /** The runbook that covers it (file name in docs/runbooks). */
  readonly runbook: string;
  /** What to ask the knowledge base. */
  readonly query: string;
  readonly actions: readonly ActionSeed[];
}

function persistenceCause(c: Context): Cause {
  const { v, t, e } = c;
  if (e.poolSaturated) {
    return {
      key: 'pool',
      service: 'persistence',
      text: `the persistence connection pool is saturated (${num(v(A.poolUtil)!)} % in use), so requests queue for a connection before they reach the database`,
      runbook: 'persistence-latency.md',
      query: 'persistence connection pool utilization wait',
      actions: [
        {
          action_type: 'configure',
          target_service: 'persistence',
          description:
            "Raise the datastore's maxConns within the database's connection limit, or spread the load over more history hosts",
          confidence: 0.65,
          risk_level: 'medium',
          parameters: { setting: 'persistence.datastores.<name>.sql.maxConns' },
        },
        {
          action_type: 'investigate',
          target_service: 'persistence',
          description:
            'Check the database for slow queries and lock waits in the same minutes (persistence_latency by operation)',
          confidence: 0.5,
          risk_level: 'low',
        },
      ],
    };
  }
  if (e.occHigh) {
    const occ = Math.max(v(A.occ) ?? 0, v(A.serialization) ?? 0, v(A.cas) ?? 0);
    return {
      key: 'occ',
      service: 'persistence',
      text: `optimistic-concurrency conflicts (${num(occ)}/s) force retries as concurrent writes hit the same rows`,
      runbook: 'occ-conflicts.md',
      query: 'occ conflicts serialization failure retries hot workflow',
      actions: [
        {
          action_type: 'investigate',
          target_service: 'persistence',
          description:
            'Find the hot workflows (many signals or child completions aimed at one execution) and check shard ownership; spread the contended writes',
          confidence: 0.55,
          risk_level: 'low',
        },
      ],
    };
  }
  if (e.throttled) {
    const rejected = Math.max(v(A.rateLimit) ?? 0, v(A.admission) ?? 0);
    return {
      key: 'throttled',
      service: 'persistence',
      text: `persistence requests are throttled (${num(rejected)}/s rejected by a rate limit)`,
      runbook: 'persistence-latency.md',
      query: 'persistence rate limits persistenceMaxQPS throttled',
      actions: [
        {
          action_type: 'configure',
          target_service: 'persistence',
          description:
            "Give the database more provisioned capacity, or raise Temporal's persistenceMaxQPS only if the database has headroom",
          confidence: 0.55,
          risk_level: 'medium',
        },
      ],
    };
  }
  if (e.retention) {
    return retentionCause(c);
  }
  const p99 = v(F.persistenceP99);
  const errors = v(F.persistenceErrors);
  return {
    key: 'database',
    service: 'persistence',
    text:
      e.persistenceFailing && errors !== null
        ? `the database rejects or times out requests (${num(errors)} errors/s)`
        : `the database is slow to answer (p99 ${p99 === null ? 'unknown' : `${num(p99)} ms`}, stressed above ${num(t.stressed.persistence_latency_p99_max_ms)} ms)`,
    runbook: 'persistence-latency.md',
    query: 'persistence answers slowly database',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description:
          "Find the slowest persistence operations (persistence_latency by operation) and check the database's CPU, IO and connections; do not scale history against a slow database",
        confidence: 0.6,
        risk_level: 'low',
      },
    ],
  };
}

function retentionCause(c: Context): Cause {
  const { v } = c;
  const deletion = v(F.deletion) ?? 0;
  const cleanup = v(F.cleanup) ?? 0;
  return {
    key: 'retention',
    service: 'history',
    text: `retention is deleting closed workflows (${num(deletion)} deletes/s, ${num(cleanup)} cleanups/s), work that is housekeeping rather than workflow progress`,
    runbook: 'retention-storms.md',
    query: 'retention deletes without workflow demand system busy',
    actions: [
      {
        action_type: 'monitor',
        target_service: 'history',
        description:
          'Let the retention deletions finish and watch the deletion rate fall; if bursts recur, spread the batch whose workflows expire together',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  };
}

function shardCause(c: Context): Cause {
  const churn = c.v(F.shardChurn);
  return {
    key: 'shards',
    service: 'history',
    text: `history shards keep changing owner (${churn === null ? 'churn' : `${num(churn)} acquisitions/s`}), which pauses the workflows on every moving shard`,
    runbook: 'shard-churn.md',
    query: 'shards moving history hosts restarting membership',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          'Check history pods for restarts, OOM kills and failing probes, and hold off on scaling history while shards move',
        confidence: 0.65,
        risk_level: 'low',
      },
    ],
  };
}

function workersAbsentCause(c: Context): Cause {
  const np = c.v(NO_POLLER);
  const ratio = c.v(F.dispatchRatio);
  const taken =
    ratio !== null && c.e.dispatchLagging
      ? `, only ${pct(ratio)} of the tasks reaching matching are handed to a worker`
      : '';
  return {
    key: 'workers_absent',
    service: 'workers',
    text: `tasks wait in matching with no worker taking them${taken}${np !== null && np > 0 ? ` (${num(np)} tasks/s arrive on queues with no poller)` : ''}: workers are stopped or poll other task queues`,
    runbook: 'poller-misconfiguration.md',
    query: 'no poller task queue names workers',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description:
          'Check that workers are running and poll the task queues the work is sent to (temporal task-queue describe --task-queue NAME)',
        confidence: 0.7,
        risk_level: 'low',
      },
    ],
  };
}

/** A server process came back: work in flight is retried, and the question is why it went. */
function restartCause(c: Context): Cause {
  const n = c.v(F.restarts) ?? 1;
  return {
    key: 'server_restart',
    service: 'history',
    text: `${n === 1 ? 'a Temporal server process' : `${num(n)} Temporal server processes`} restarted in the last two minutes (a crash, an out-of-memory kill or a deploy): tasks in flight are retried and the state should settle once the restart leaves the window`,
    runbook: '',
    query: 'server restart crash shard ownership',
    actions: [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          "Find why the process exited: its last log lines, the exit code or OOM kill in the orchestrator's events; if it keeps restarting, check memory limits and persistence connectivity",
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  };
}

/** Tasks reach matching faster than workers take them: absent workers, or too few. */
function dispatchCause(c: Context, g: Gate): Cause {
  const { e } = c;
  if (g.kind === 'critical' || e.noPollers || !e.workerMetrics) return workersAbsentCause(c);
  const ratio = c.v(F.dispatchRatio);
  return {
    key: e.slotsExhausted ? 'worker_limited' : 'matching_waiting',
    service: 'workers',
    text: `workers take ${ratio === null ? 'fewer' : `only ${pct(ratio)} of the`} tasks ${ratio === null ? 'than arrive' : 'that arrive'}${e.slotsExhausted ? ', with every slot of a pool busy' : ''}: too few workers for the load, or some of them stopped`,
    runbook: 'worker-slot-exhaustion.md',
    query: 'tasks wait for workers matching backlog add workers',
    actions: [
      {
        action_type: 'scale',
        target_service: 'workers',
        description:
          'Check that every worker is running, then add worker replicas (or slots) until they take tasks as fast as they arrive',
        confidence: e.slotsExhausted ? 0.65 : 0.5,
        risk_level: 'low',
        parameters: { direction: 'up' },
      },
    ],
  };
}

function historyCapacityCause(c: Context, gateId: string): Cause {
  const { v, e } = c;
  const evidence: string[] = [];
  if (e.cpuThrottled) evidence.push(`its CPU is throttled ${num(v(A.cpuThrottle)!)} % of the time`);
  if (e.hotShard) evidence.push(`one shard carries ${num(v(A.hotShard)!)}× the average load`);
  if (e.cacheThrashing) evidence.push(`its cache hits only ${pct(v(A.cacheHit)!)} of lookups`);
  const backlogGate = gateId.endsWith('history_backlog');
  if (!backlogGate && evidence.length === 0) {
    return {
      key: 'history_stalled',
      service: 'history',
      text: 'history is not advancing workflows although persistence and shard ownership look normal',
      runbook: 'backlog-growth.md',
      query: 'history not processing tasks stalled shard',
      actions: [
        {
          action_type: 'investigate',
          target_service: 'history',
          description:
            'Check history logs and task queues for a stuck task (task_latency_queue, task attempts) and confirm every shard has an owner',
          confidence: 0.45,
          risk_level: 'low',
        },
      ],
    };
  }
  return {
    key: 'history_capacity',
    service: 'history',
    text:
      evidence.length > 0
        ? `history lacks capacity (${listOf(evidence)}) while persistence answers normally`
        : 'history lacks capacity: work arrives faster than it drains, while persistence answers normally and shards are stable',
    runbook: 'backlog-growth.md',
    query: 'add history capacity replicas CPU backlog',
    actions: [
      {
        action_type: 'scale',
        target_service: 'history',
        description:
          'Add history replicas (or CPU); persistence is healthy, so more history capacity drains the backlog. Slow the producers if capacity cannot be added quickly',
        confidence: evidence.length > 0 ? 0.7 : 0.6,
        risk_level: 'medium',
        parameters: { direction: 'up' },
      },
    ],
  };
}

function pollerCause(c: Context): Cause {
  const { v, e } = c;
  const rate = v(F.pollTimeoutRate);
  const share = rate === null ? 'most' : pct(rate);
  if (e.noPollers || e.matchingWaiting) {
    const np = v(NO_POLLER);
    return {
      key: 'wrong_queue',
      service: 'workers',
      text: `workers poll other task queues than the work is sent to: ${share} of polls time out empty while ${np !== null && np > 0 ? `${num(np)} tasks/s arrive on queues with no poller` : 'tasks wait in matching'}`,
      runbook: 'poller-misconfiguration.md',
      query: 'task queue names pollers no poller',
      actions: [
        {
          action_type: 'configure',
          target_service: 'workers',
          description:
            'Align task queue names: compare the queues workflows and activities are started on with the ones workers poll (temporal task-queue describe --task-queue NAME), then redeploy the workers',
          confidence: 0.75,
          risk_level: 'medium',
        },
      ],
    };
  }
  const pollers = (v(W.wfPollers) ?? 0) + (v(W.actPollers) ?? 0);
  const slots = [W.wfAvail, W.wfUsed, W.actAvail, W.actUsed]
    .map((f) => v(f) ?? 0)
    .reduce((a, b) => a + b, 0);
  if (slots > 0 && pollers > slots) {
    return {
      key: 'too_many_pollers',
      service: 'workers',
      text: `workers run more pollers (${num(pollers)}) than task slots (${num(slots)}), so pollers take tasks no slot can run`,
      runbook: 'poller-misconfiguration.md',
      query: 'pollers and slots',
      actions: [
        {
          action_type: 'configure',
          target_service: 'workers',
          description:
            'Lower the poller counts (maxConcurrentWorkflowTaskPolls / maxConcurrentActivityTaskPolls) well below the slot counts',
          confidence: 0.5,
          risk_level: 'low',
        },
      ],
    };
  }
  return {
    key: 'idle_pollers',
    service: 'workers',
    text: `more pollers wait than there is work: ${share} of polls time out empty`,
    runbook: 'poller-misconfiguration.md',
    query: 'too many pollers polls time out',
    actions: [
      {
        action_type: 'configure',
        target_service: 'workers',
        description:
          'Lower pollers per worker or run fewer workers; idle polls waste matching capacity but block nothing',
        confidence: 0.4,
        risk_level: 'low',
      },
    ],
  };
}

/** The cause of one fired gate, from metrics only. */
function causeOf(c: Context, g: Gate): Cause {
  const { e } = c;
  switch (g.id) {
    case 'critical.persistence_errors':
    case 'stressed.persistence_latency':
      return persistenceCause(c);
    case 'stressed.shard_churn':
      return shardCause(c);
    case 'stressed.poller_timeouts':
      return pollerCause(c);
    case 'critical.matching_dispatch':
    case 'stressed.matching_dispatch':
      return dispatchCause(c, g);
    case 'stressed.server_restarts':
      return restartCause(c);
    case 'critical.completion_rate': {
      const rate = c.v(F.completionRate);
      return {
        key: 'workflow_failures',
        service: 'workers',
        text: `workflows fail or time out (only ${rate === null ? 'a few' : pct(rate)} of finishing workflows succeed): workflow or activity code fails, or its timeouts are too tight`,
        runbook: '',
        query: 'workflow failures timeouts',
        actions: [
          {
            action_type: 'investigate',
            target_service: 'workers',
            description:
              'List the failing workflow types and their last failure (temporal workflow list --query \'ExecutionStatus="Failed"\')',
            confidence: 0.55,
            risk_level: 'low',
          },
        ],
      };
    }
    case 'stressed.frontend_latency':
      if (e.persistenceSlow || e.persistenceFailing) return persistenceCause(c);
      return {
        key: 'frontend',
        service: 'frontend',
        text: 'the frontend or the services behind it are slow while persistence answers normally',
        runbook: 'persistence-latency.md',
        query: 'frontend latency high too',
        actions: [
          {
            action_type: 'investigate',
            target_service: 'frontend',
            description:
              "Check frontend latency by operation (visibility queries are the usual suspects) and the frontend's CPU",
            confidence: 0.45,
            risk_level: 'low',
          },
        ],
      };
    default:
      break;
  }
  // History's own gates: throughput, processing, backlog, transition latency.
  if (e.persistenceSlow || e.persistenceFailing) return persistenceCause(c);
  if (e.shardsMoving) return shardCause(c);
  if (e.retention) return retentionCause(c);
  if (
    (g.id === 'critical.throughput' || g.id === 'critical.history_processing') &&
    e.matchingWaiting &&
    (e.noPollers || e.slotsExhausted || !e.workerMetrics)
  ) {
    return workersAbsentCause(c);
  }
  if (g.id === 'stressed.transition_latency') {
    const cap = historyCapacityCause(c, g.id);
    if (cap.key === 'history_capacity') return cap;
    return {
      key: 'history_slow',
      service: 'history',
      text: "history's write path is slow while persistence answers normally: history itself is busy",
      runbook: 'backlog-growth.md',
      query: 'history out of CPU or cache',
      actions: [
        {
          action_type: 'investigate',
          target_service: 'history',
          description:
            "Check history's CPU, cache hit rate and hot shards (the slow RPCs are the ones that persist a transition)",
          confidence: 0.45,
          risk_level: 'low',
        },
      ],
    };
  }
  return historyCapacityCause(c, g.id);
}

// ---- findings: what becomes an issue ----------------------------------------------------------

interface Finding {
  readonly key: string;
  readonly severity: IssueSeverity;
  readonly service: string;
  readonly title: string;
  readonly description: string;
  readonly cause: Cause | null;
  readonly metrics: readonly string[];
  /** Higher first. */
  readonly rank: number;
}

/** An issue's severity never exceeds the state: happy allows info, stressed and unknown warning. */
function severityFor(state: HealthState, wanted: IssueSeverity): IssueSeverity {
  if (state === 'happy') return 'info';
  if (state === 'critical') return wanted;
  return wanted === 'critical' ? 'warning' : wanted;
}

function gateFinding(c: Context, g: Gate): Finding {
  const story = GATE_STORIES[g.id];
  const cause = causeOf(c, g);
  const observed = g.observed === null ? 'absent' : withUnit(g.observed, story?.unit ?? '');
  const limit = withUnit(g.threshold, story?.unit ?? '');
  const direction = g.condition.startsWith('<') ? 'below' : 'above';
  const count = c.evaluation.consecutive_critical;
  const rule = c.thresholds.rules.consecutive_critical;
  const confirmation =
    g.kind !== 'critical'
      ? ''
      : c.state === 'critical'
        ? ` Critical for ${count} evaluations in a row.`
        : ` Critical evaluation ${count} of ${rule} in a row: stressed until confirmed.`;
  return {
    key: `gate:${g.id}`,
    severity: severityFor(c.state, g.kind === 'critical' ? 'critical' : 'warning'),
    service: cause.service,
    title: capitalize(story?.problem ?? g.id),
    description: `${capitalize(story?.subject ?? shortField(g.signal))}: ${observed}, ${g.kind} ${direction} ${limit} in the ${c.evaluation.scale_band} band (${shortField(g.signal)}).${confirmation}`,
    cause,
    metrics: [g.signal],
    rank: kindRank(g) * 10 + pastness(ratioOf(g)),
  };
}

/** Problems off the gates: worker capacity, pollers, retention. Never above the state's severity. */
function offGateFindings(c: Context, covered: ReadonlySet<string>): Finding[] {
  const { v, e, state, bottleneck } = c;
  const out: Finding[] = [];
  const workerLimited =
    bottleneck.classification === 'worker_limited' || bottleneck.classification === 'mixed';
  if (workerLimited && !covered.has('worker_limited')) {
    const full: string[] = [];
    if (v(W.wfAvail) === 0) full.push('workflow');
    if (v(W.actAvail) === 0) full.push('activity');
    const s2s = v(W.s2s);
    const slow = s2s !== null && s2s > c.thresholds.rules.worker_wft_schedule_to_start_max_ms;
    const parts: string[] = [];
    if (full.length > 0) parts.push(`every ${listOf(full)} task slot is busy (0 free)`);
    if (slow) parts.push(`workflow tasks wait ${num(s2s)} ms to start`);
    const cause: Cause = {
      key: 'worker_limited',
      service: 'workers',
      text:
        full.length > 0
          ? `workers run at their concurrency limit, so tasks wait in matching while the server keeps up`
          : `workers are slow to pick up workflow tasks (CPU-bound workers or too few pollers) while the server keeps up`,
      runbook: 'worker-slot-exhaustion.md',
      query: 'worker slots exhausted add workers',
      actions: [
        {
          action_type: 'scale',
          target_service: 'workers',
          description: `Add worker replicas (or raise ${full.includes('activity') && !full.includes('workflow') ? 'maxConcurrentActivityTaskExecutions' : 'maxConcurrentWorkflowTaskExecutions / maxConcurrentActivityTaskExecutions'}); never scale workers down while a slot pool is at zero`,
          confidence: full.length > 0 ? 0.7 : 0.55,
          risk_level: 'low',
          parameters: { direction: 'up', pools: full.length > 0 ? full : ['workflow'] },
        },
      ],
    };
    out.push({
      key: 'worker_limited',
      severity: severityFor(state, 'warning'),
      service: 'workers',
      title:
        bottleneck.classification === 'mixed'
          ? 'Workers and the server are both at their limit'
          : 'Workers set the pace',
      description: `${capitalize(listOf(parts))}; the bottleneck is ${bottleneck.classification.replace('_', '-')}${bottleneck.classification === 'mixed' ? ' (the server is under pressure too)' : ' (the server is fine)'}.`,
      cause,
      metrics: [W.wfAvail, W.actAvail, W.s2s],
      rank: 5,
    });
  }
  if (e.noPollers && !covered.has('wrong_queue') && !covered.has('workers_absent')) {
    const cause = pollerCause(c);
    out.push({
      key: 'no_pollers',
      severity: severityFor(state, 'warning'),
      service: 'workers',
      title: 'Tasks arrive on queues nobody polls',
      description: `${num(v(NO_POLLER)!)} tasks/s are added to task queues with no recent poller (${shortField(NO_POLLER)}).`,
      cause: cause.key === 'wrong_queue' ? cause : workersAbsentCause(c),
      metrics: [NO_POLLER, F.matchingWorkflowBacklog],
      rank: 4.5,
    });
  } else if (
    e.matchingWaiting &&
    !workerLimited &&
    !covered.has('wrong_queue') &&
    !covered.has('workers_absent')
  ) {
    const oldest = Math.max(v(F.matchingWorkflowBacklog) ?? 0, v(F.matchingActivityBacklog) ?? 0);
    out.push({
      key: 'matching_waiting',
      severity: severityFor(state, 'warning'),
      service: 'matching',
      title: 'Tasks wait in matching for workers',
      description: `The oldest task in matching has waited ${num(oldest)} s for a worker.`,
      cause: {
        key: 'matching_waiting',
        service: 'workers',
        text: e.workerMetrics
          ? 'workers take tasks more slowly than they arrive'
          : 'workers take tasks more slowly than they arrive, or are not running (no SDK metrics to tell which)',
        runbook: 'worker-slot-exhaustion.md',
        query: 'tasks wait for workers matching backlog',
        actions: [
          {
            action_type: 'investigate',
            target_service: 'workers',
            description:
              'Check that workers are running, poll the right task queues and have free task slots',
            confidence: 0.5,
            risk_level: 'low',
          },
        ],
      },
      metrics: [F.matchingWorkflowBacklog, F.matchingActivityBacklog],
      rank: 4,
    });
  }
  const frontendErrors = v(F.frontendErrors);
  if (
    frontendErrors !== null &&
    frontendErrors > c.thresholds.rules.frontend_error_rate_critical_per_sec
  ) {
    out.push({
      key: 'frontend_errors',
      severity: severityFor(state, 'warning'),
      service: 'frontend',
      title: 'The frontend returns errors to clients',
      description: `The frontend returns ${num(frontendErrors)} unexpected errors/s (${shortField(F.frontendErrors)}).`,
      cause: {
        key: 'frontend_errors',
        service: 'frontend',
        text: 'the frontend fails requests itself or passes on failures of the services behind it',
        runbook: '',
        query: 'frontend errors',
        actions: [
          {
            action_type: 'investigate',
            target_service: 'frontend',
            description:
              'Check service_errors by operation on the frontend and the logs of the services behind it',
            confidence: 0.45,
            risk_level: 'low',
          },
        ],
      },
      metrics: [F.frontendErrors],
      rank: 3.5,
    });
  }
  const hit = v(W.stickyHit);
  if (hit !== null && hit < 0.5) {
    out.push({
      key: 'sticky',
      severity: 'info',
      service: 'workers',
      title: 'Workers replay workflows often',
      description: `Only ${pct(hit)} of workflow tasks find their workflow in the sticky cache.`,
      cause: {
        key: 'sticky',
        service: 'workers',
        text: 'the sticky cache is too small for the open workflows, or work is unevenly spread across workers',
        runbook: 'sticky-cache.md',
        query: 'sticky cache size evictions replay',
        actions: [
          {
            action_type: 'configure',
            target_service: 'workers',
            description:
              'Raise the sticky cache size (maxCachedWorkflows) if memory allows, or restart workers to rebalance after scaling',
            confidence: 0.4,
            risk_level: 'low',
          },
        ],
      },
      metrics: [W.stickyHit],
      rank: 2,
    });
  }
  if (e.retention && !covered.has('retention')) {
    const cause = retentionCause(c);
    out.push({
      key: 'retention',
      severity: 'info',
      service: 'history',
      title: c.evaluation.is_system_busy ? 'Busy with retention' : 'Retention work in progress',
      description: `${capitalize(cause.text)}.${c.evaluation.is_system_busy ? ' The throughput, completion and processing gates are suppressed while the system is busy.' : ''}`,
      cause,
      metrics: [F.deletion, F.cleanup],
      rank: 1.5,
    });
  }
  const warnings = workerScalingWarnings(c.signals);
  const mismatch = warnings.find((w) => w.rule === 'POLLER_EXECUTOR_MISMATCH');
  if (mismatch !== undefined && !covered.has('too_many_pollers')) {
    out.push({
      key: 'poller_mismatch',
      severity: 'info',
      service: 'workers',
      title: 'More pollers than task slots',
      description: `${capitalize(mismatch.message)}.`,
      cause: null,
      metrics: [W.wfPollers, W.actPollers],
      rank: 1,
    });
  }
  return out;
}

function betweenFinding(c: Context): Finding | null {
  const reason = c.evaluation.reasons.find((r) => r.startsWith('recovering'));
  if (reason !== undefined) {
    return {
      key: 'recovering',
      severity: 'warning',
      service: 'history',
      title: 'Recovering from critical',
      description:
        'No gate fires, but the cluster is still near the critical thresholds it just left, so it stays stressed.',
      cause: null,
      metrics: [F.throughput, F.historyBacklog, F.processing],
      rank: 1,
    };
  }
  const failing = c.evaluation.gates.filter((g) => g.kind === 'healthy' && g.fired === false);
  if (failing.length === 0) return null;
  const words: Record<string, string> = {
    'healthy.throughput': 'state transitions are below the healthy level',
    'healthy.history_backlog': 'the history backlog is older than the healthy age',
    'healthy.completion_rate': 'the completion rate is below the healthy level',
  };
  return {
    key: 'between',
    severity: 'warning',
    service: failing.some((g) => g.id === 'healthy.completion_rate') ? 'workers' : 'history',
    title: 'Between thresholds',
    description: `No gate fires, but not every healthy gate passes: ${listOf(failing.map((g) => `${words[g.id] ?? g.id} (${g.observed === null ? 'absent' : num(g.observed)}, healthy ${g.condition})`))}.`,
    cause: null,
    metrics: failing.map((g) => g.signal),
    rank: 1,
  };
}

// ---- unknown: why, and how to get the data back ----------------------------------------------

interface UnknownReason {
  readonly text: string;
  readonly action: ActionSeed;
  readonly watch: string;
  readonly heading: string;
  readonly factor: ContributingFactor;
}

function unknownReasons(c: Context): UnknownReason[] {
  const raw = c.evaluation.reasons
    .filter((r) => r.startsWith('unknown: '))
    .map((r) => r.slice('unknown: '.length));
  const reasons = raw.length > 0 ? raw : ['the signals needed to decide are missing'];
  return reasons.map((text, i): UnknownReason => {
    const weight = round2(1 - i * 0.1);
    if (/Prometheus did not answer/i.test(text)) {
      return {
        text,
        heading: 'prometheus did not answer',
        watch:
          'Prometheus answering again: `headway signals` prints the data-quality report (prometheus_ok)',
        factor: { factor: 'Prometheus did not answer', signal: null, observed: null, weight },
        action: {
          action_type: 'investigate',
          target_service: 'prometheus',
          description:
            'Check that Prometheus is running and reachable from the copilot (HEADWAY_PROMETHEUS_URL, /-/ready, headway doctor)',
          confidence: 0.8,
          risk_level: 'low',
        },
      };
    }
    if (/not being scraped|up == 0/i.test(text)) {
      return {
        text,
        heading: 'monitored server is not scraped',
        watch: "the monitored server's scrape target back up (up == 1)",
        factor: {
          factor: 'the monitored server is not being scraped (up == 0)',
          signal: null,
          observed: 0,
          weight,
        },
        action: {
          action_type: 'investigate',
          target_service: 'temporal-server',
          description:
            "Check the monitored server's metrics endpoint and the scrape error on Prometheus' targets page",
          confidence: 0.75,
          risk_level: 'low',
        },
      };
    }
    if (/no scrape target/i.test(text)) {
      return {
        text,
        heading: 'monitored server is not scraped',
        watch: 'a scrape target that matches HEADWAY_SERVER_SELECTOR',
        factor: {
          factor: 'Prometheus has no scrape target for the monitored server',
          signal: null,
          observed: null,
          weight,
        },
        action: {
          action_type: 'configure',
          target_service: 'prometheus',
          description:
            'Add a scrape job for the monitored server, or fix HEADWAY_SERVER_SELECTOR so it matches the target labels',
          confidence: 0.7,
          risk_level: 'low',
        },
      };
    }
    if (/stale/i.test(text)) {
      const age = /last scrape (\d+)/.exec(text)?.[1];
      return {
        text,
        heading: 'data is stale',
        watch: `a fresh scrape: the last one must be under ${c.thresholds.rules.max_scrape_age_s} s old`,
        factor: {
          factor: 'the last scrape is too old',
          signal: null,
          observed: age === undefined ? null : Number(age),
          weight,
        },
        action: {
          action_type: 'investigate',
          target_service: 'prometheus',
          description:
            "Check why Prometheus stopped scraping the server: the target's last scrape duration and error, and Prometheus' own load",
          confidence: 0.7,
          risk_level: 'low',
        },
      };
    }
    const fields = text.includes(':') ? text.slice(text.indexOf(':') + 1).trim() : '';
    return {
      text:
        fields.length > 0
          ? `signals a critical gate needs are absent (${shortFields(fields)})`
          : text,
      heading: 'signals a critical gate needs are absent',
      watch: `the deciding signals present again${fields.length > 0 ? `: ${shortFields(fields)}` : ''}`,
      factor: {
        factor: 'signals a critical gate needs are absent',
        signal: null,
        observed: null,
        weight,
      },
      action: {
        action_type: 'configure',
        target_service: 'temporal-server',
        description:
          'Check that the server exports the missing metrics and that every service (history, frontend, matching) is scraped; compare with `headway signals --json` (quality.unavailable)',
        confidence: 0.6,
        risk_level: 'low',
      },
    };
  });
}

function shortFields(list: string): string {
  return list
    .split(',')
    .map((f) => shortField(f.trim()))
    .filter((f) => f.length > 0)
    .join(', ');
}

// ---- services as actors ---------------------------------------------------------------------

/** Judged clause for one service (the services view: may disagree with nothing but the gates). */
function clauseOf(c: Context, s: ServiceHealth): string {
  const { v, t, evaluation } = c;
  const name = s.name;
  if (s.forward_progress === 'unknown') {
    if (name === 'workers') return 'workers export no SDK metrics, so their side is not visible';
    return `${DISPLAY_NAME[name] ?? name} cannot be observed until the data returns`;
  }
  switch (name) {
    case 'history': {
      const backlog = v(F.historyBacklog) ?? 0;
      const processing = v(F.processing) ?? 0;
      if (evaluation.is_idle) return 'history is idle with nothing waiting';
      if (s.forward_progress === 'blocked') {
        return backlog > t.critical.history_backlog_age_max_sec
          ? `history is far behind, its oldest task waiting ${num(backlog)} s (critical above ${num(t.critical.history_backlog_age_max_sec)} s)`
          : `history processes only ${num(processing)} tasks/s (critical below ${num(t.critical.history_processing_rate_min_per_sec)})`;
      }
      if (s.forward_progress === 'degraded') {
        return `history is falling behind, its oldest task waiting ${num(backlog)} s (stressed above ${num(t.stressed.history_backlog_age_stress_sec)} s)`;
      }
      return `history keeps up, processing ${num(processing)} tasks/s with its oldest task ${num(backlog)} s old`;
    }
    case 'matching': {
      const oldest = Math.max(v(F.matchingWorkflowBacklog) ?? 0, v(F.matchingActivityBacklog) ?? 0);
      const np = v(NO_POLLER);
      const extra = np !== null && np > 0.1 ? `, ${num(np)} tasks/s on queues with no poller` : '';
      const ratio = v(F.dispatchRatio);
      if (c.e.dispatchLagging && ratio !== null) {
        const handed = `hands out only ${pct(ratio)} of the tasks it receives (${num(v(F.tasksAdded) ?? 0)}/s arrive)`;
        return oldest >= 1
          ? `matching holds tasks that wait ${num(oldest)} s for a worker and ${handed}${extra}`
          : `matching ${handed}${extra}`;
      }
      if (s.forward_progress !== 'ok') {
        return `matching holds tasks that wait ${num(oldest)} s for a worker${extra}`;
      }
      return oldest < 1
        ? `matching hands tasks to workers without delay${extra}`
        : `matching hands tasks to workers within ${num(oldest)} s${extra}`;
    }
    case 'frontend': {
      const p99 = v(F.frontendP99);
      const errors = v(F.frontendErrors) ?? 0;
      if (s.forward_progress === 'blocked')
        return `the frontend returns ${num(errors)} errors/s to clients`;
      if (s.forward_progress === 'degraded') {
        return `the frontend answers slowly (p99 ${num(p99 ?? 0)} ms, stressed above ${num(t.stressed.frontend_latency_p99_max_ms)} ms)`;
      }
      return p99 === null
        ? 'the frontend serves clients without errors'
        : `the frontend serves clients in ${num(p99)} ms at p99`;
    }
    case 'persistence': {
      const p99 = v(F.persistenceP99);
      const errors = v(F.persistenceErrors) ?? 0;
      if (s.forward_progress === 'blocked') {
        return `persistence fails ${num(errors)} requests/s (critical above ${num(t.critical.persistence_error_rate_max_per_sec)})`;
      }
      if (s.forward_progress === 'degraded') {
        return `persistence answers slowly (p99 ${num(p99 ?? 0)} ms, stressed above ${num(t.stressed.persistence_latency_p99_max_ms)} ms)`;
      }
      const errs = errors > 0 ? ` with ${num(errors)} errors/s` : ' without errors';
      return p99 === null
        ? `persistence answers${errs}`
        : `persistence answers in ${num(p99)} ms at p99${errs}`;
    }
    case 'workers':
      return workerClause(c);
    default:
      return `${String(name)} is ${s.status}`;
  }
}

function workerClause(c: Context): string {
  const { v } = c;
  const wf = v(W.wfAvail);
  const act = v(W.actAvail);
  const ratio = v(F.dispatchRatio);
  if (c.e.dispatchLagging && ratio !== null) {
    const noSdk = wf === null && act === null ? ' (they export no SDK metrics)' : '';
    return ratio < c.t.critical.matching_dispatch_ratio_min
      ? `workers take almost none of the tasks that arrive (${pct(ratio)})${noSdk}`
      : `workers take only ${pct(ratio)} of the tasks that arrive${noSdk}`;
  }
  if (wf === null && act === null)
    return 'workers export no SDK metrics, so their side is not visible';
  const full: string[] = [];
  if (wf === 0) full.push('workflow');
  if (act === 0) full.push('activity');
  const s2s = v(W.s2s);
  const slow = s2s !== null && s2s > c.thresholds.rules.worker_wft_schedule_to_start_max_ms;
  if (full.length > 0) {
    return `workers have no free ${listOf(full)} slots${slow ? ` and workflow tasks wait ${num(s2s)} ms to start` : ''}`;
  }
  if (slow) return `workers take ${num(s2s)} ms to start workflow tasks`;
  const used = (v(W.wfUsed) ?? 0) + (v(W.actUsed) ?? 0);
  if (used === 0) return 'workers are connected and idle, with free slots';
  return `workers have free slots (${num(wf ?? 0)} workflow, ${num(act ?? 0)} activity)${s2s === null ? '' : ` and start workflow tasks within ${num(s2s)} ms`}`;
}

/** Neutral clause for a server service in a happy state: what it does, no judgement. */
function happyClause(c: Context, s: ServiceHealth): string {
  const { v } = c;
  switch (s.name) {
    case 'history': {
      if (c.evaluation.is_system_busy) {
        return `history is busy with retention, processing ${num(v(F.processing) ?? 0)} tasks/s`;
      }
      const b = v(F.historyBacklog);
      return `history processes ${num(v(F.processing) ?? 0)} tasks/s${b === null ? '' : ` with its oldest task ${num(b)} s old`}`;
    }
    case 'persistence': {
      const p99 = v(F.persistenceP99);
      return p99 === null ? 'persistence answers' : `persistence answers in ${num(p99)} ms at p99`;
    }
    case 'matching': {
      const oldest = Math.max(v(F.matchingWorkflowBacklog) ?? 0, v(F.matchingActivityBacklog) ?? 0);
      if (oldest < 1) return 'matching hands tasks to workers without delay';
      return c.e.workerMetrics && (c.e.slotsExhausted || s.forward_progress !== 'ok')
        ? `matching holds tasks ${num(oldest)} s until a worker is free`
        : `matching hands tasks to workers within ${num(oldest)} s`;
    }
    case 'frontend': {
      const p99 = v(F.frontendP99);
      return p99 === null
        ? 'the frontend serves clients'
        : `the frontend serves clients in ${num(p99)} ms at p99`;
    }
    case 'workers':
      return workerClause(c);
    default:
      return String(s.name);
  }
}

function serviceStories(c: Context): ServiceStory[] {
  return c.services.map((s) => ({
    name: s.name,
    status: s.status,
    story: `${capitalize(clauseOf(c, s))}.`,
  }));
}

// ---- factors and watch-next -----------------------------------------------------------------

function gateFactorText(g: Gate): string {
  const story = GATE_STORIES[g.id];
  const observed = g.observed === null ? 'absent' : withUnit(g.observed, story?.unit ?? '');
  const direction = g.condition.startsWith('<') ? 'below' : 'above';
  return `${story?.subject ?? shortField(g.signal)} ${observed} (${g.kind} ${direction} ${withUnit(g.threshold, story?.unit ?? '')})`;
}

function contributingFactors(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
): ContributingFactor[] {
  const { evaluation, v } = c;
  if (c.state === 'unknown') return unknown.map((u) => u.factor);
  const out: ContributingFactor[] = [];
  if (evaluation.is_idle) {
    out.push({
      factor: 'idle: no demand, no errors and no work waiting',
      signal: F.throughput,
      observed: v(F.throughput),
      weight: 1,
    });
  }
  const firedIds = new Set(c.fired.map((g) => g.id));
  const firedSignals = new Set<string>();
  for (const g of c.fired) {
    // One factor per signal: a backlog past both limits is one reason, at its graver weight.
    if (firedSignals.has(g.signal)) continue;
    firedSignals.add(g.signal);
    const s = pastness(ratioOf(g));
    out.push({
      factor: gateFactorText(g),
      signal: g.signal,
      observed: g.observed,
      weight: round2(g.kind === 'critical' ? 0.75 + 0.2 * s : 0.5 + 0.2 * s),
    });
  }
  // Signals nearest their limits: only gates that were really evaluated and passed. A suppressed or
  // demand-gated gate says nothing about closeness, and an idle cluster's low throughput is rest.
  const near = evaluation.gates
    .filter(
      (g) =>
        g.kind !== 'healthy' &&
        !firedIds.has(g.id) &&
        g.fired === false &&
        g.note === undefined &&
        g.observed !== null &&
        !(evaluation.is_idle && g.condition.startsWith('<')),
    )
    .map((g) => ({ g, r: Math.min(ratioOf(g), 0.99) }))
    .filter(({ r }) => Number.isFinite(r) && r > 0)
    .sort((a, b) => b.r - a.r || a.g.id.localeCompare(b.g.id));
  const nearLimit = near.filter(({ r }) => r >= 0.5);
  // A calm cluster still gets its two closest limits, unless they are far: then nothing is near.
  const calm = c.fired.length === 0 && !evaluation.is_idle && nearLimit.length === 0;
  for (const { g, r } of calm ? near.filter((n) => n.r >= 0.25).slice(0, 2) : nearLimit) {
    out.push({
      factor: `${gateFactorText(g)}: ${pct(r)} of the way to its limit`,
      signal: g.signal,
      observed: g.observed,
      weight: round2(0.45 * r),
    });
  }
  // Evidence a gate's cause rests on, when it is not itself a gate: misrouted tasks explain the
  // poll timeouts better than the timeout rate does.
  const noPoller = v(NO_POLLER);
  if (c.e.noPollers && noPoller !== null && !findings.some((f) => f.key === 'no_pollers')) {
    out.push({
      factor: `${num(noPoller)} tasks/s added to queues with no poller`,
      signal: NO_POLLER,
      observed: noPoller,
      weight: 0.55,
    });
  }
  for (const f of findings) {
    if (f.key.startsWith('gate:')) continue;
    const weight =
      f.key === 'worker_limited' || f.key === 'no_pollers' || f.key === 'matching_waiting'
        ? 0.6
        : f.key === 'retention'
          ? 0.55
          : f.key === 'between' || f.key === 'recovering'
            ? 0.5
            : 0.3;
    const signal = f.metrics[0] ?? null;
    out.push({
      factor: f.cause === null ? f.title : `${f.title}: ${f.cause.text}`,
      signal,
      observed: signal === null ? null : v(signal),
      weight,
    });
  }
  return out
    .sort((a, b) => b.weight - a.weight || a.factor.localeCompare(b.factor))
    .slice(0, MAX_FACTORS);
}

function watchNext(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
): string[] {
  const { v, evaluation } = c;
  const items: string[] = [];
  const add = (s: string): void => {
    if (!items.includes(s)) items.push(s);
  };
  const worsening = c.trends.filter((x) => x.trend === 'worsening');
  if (c.state === 'unknown') {
    for (const u of unknown) add(u.watch);
    add('the first evaluation after the data returns: it starts from a zero critical count');
    add(
      'whether the outage repeats: recurring gaps point at Prometheus capacity or scrape timeouts',
    );
  } else if (evaluation.is_idle) {
    add(
      `demand returning: state transitions above ${num(c.thresholds.rules.idle.throughput_max)}/s end idle and the gates apply again`,
    );
    add('tasks waiting in matching with no worker: the first sign of stopped workers');
    add('retention deletes: above 1/s they end idle without any workflow demand');
  } else {
    for (const f of findings.slice(0, 2)) {
      const w = watchFor(c, f);
      if (w !== null) add(w);
    }
    for (const x of worsening) {
      add(
        `${SIGNAL_LABEL[x.signal] ?? shortField(x.signal)}: worsening over the last ${c.window} observations`,
      );
    }
    if (c.state === 'stressed' && c.fired.some((g) => g.kind === 'critical')) {
      add(
        `the next evaluations: ${c.thresholds.rules.consecutive_critical} critical evaluations in a row make the state critical (now ${evaluation.consecutive_critical})`,
      );
    }
    if (c.state === 'critical') {
      add(
        'recovery: the state leaves critical through stressed, and stays stressed while it is still near the critical thresholds',
      );
    }
    const near = evaluation.gates
      .filter(
        (g) =>
          g.kind === 'stressed' && g.fired === false && g.note === undefined && g.observed !== null,
      )
      .map((g) => ({ g, r: ratioOf(g) }))
      .filter(({ r }) => r >= 0.3 && r < 1)
      .sort((a, b) => b.r - a.r || a.g.id.localeCompare(b.g.id));
    for (const { g } of near) {
      add(`${gateFactorText(g)}, the closest limit`);
    }
    add(
      `throughput: ${num(v(F.throughput) ?? 0)} state transitions/s now; a sustained drop under load is the first sign of lost progress`,
    );
    add('history backlog age: the earliest warning of a cascading failure');
  }
  return items.slice(0, 3);
}

function watchFor(c: Context, f: Finding): string | null {
  const { v, t } = c;
  switch (f.cause?.key ?? f.key) {
    case 'pool':
      return `connection pool use (${num(v(A.poolUtil) ?? 0)} % now) and persistence p99 falling back under ${num(t.stressed.persistence_latency_p99_max_ms)} ms`;
    case 'database':
    case 'throttled':
    case 'occ':
      return c.e.persistenceFailing
        ? `persistence errors (${num(v(F.persistenceErrors) ?? 0)}/s now) back under ${num(t.critical.persistence_error_rate_max_per_sec)}/s${f.cause?.key === 'occ' ? ', with the conflict rate' : ''}`
        : `persistence latency p99 (${num(v(F.persistenceP99) ?? 0)} ms now) back under ${num(t.stressed.persistence_latency_p99_max_ms)} ms`;
    case 'history_capacity':
    case 'history_stalled':
    case 'history_slow': {
      const stress = t.stressed.history_backlog_age_stress_sec;
      const healthy = t.healthy.history_backlog_age_healthy_sec;
      return `history backlog age (${num(v(F.historyBacklog) ?? 0)} s now): ${stress === healthy ? `healthy again under ${num(healthy)} s` : `out of stress under ${num(stress)} s, healthy under ${num(healthy)} s`}`;
    }
    case 'shards':
      return 'shard churn back near zero and no new history restarts';
    case 'retention':
      return `the deletion rate (${num(v(F.deletion) ?? 0)}/s now) falling back to its background level`;
    case 'worker_limited':
      return `free worker slots back above zero and workflow schedule-to-start under ${num(c.thresholds.rules.worker_wft_schedule_to_start_max_ms)} ms`;
    case 'wrong_queue':
    case 'workers_absent':
      return 'tasks on queues with no poller (no_poller_tasks_per_sec) back to zero and the matching backlog age back to seconds';
    case 'idle_pollers':
    case 'too_many_pollers':
      return 'the poll timeout rate under demand after the poller change';
    case 'workflow_failures':
      return 'the completion rate: failures by workflow type after the fix';
    case 'frontend':
      return `frontend latency p99 (${num(v(F.frontendP99) ?? 0)} ms now) back under ${num(t.stressed.frontend_latency_p99_max_ms)} ms`;
    case 'matching_waiting':
      return 'the matching backlog age: it falls once workers take tasks again';
    default:
      return null;
  }
}

// ---- log lines: quoted, never believed --------------------------------------------------------

const LOG_RUNBOOKS: Readonly<Record<string, readonly string[]>> = {
  'deadline exceeded': ['persistence-latency.md', 'backlog-growth.md'],
  'context canceled': ['persistence-latency.md', 'backlog-growth.md'],
  'shard ownership': ['shard-churn.md', 'occ-conflicts.md'],
  'member joined': ['shard-churn.md'],
  'member left': ['shard-churn.md'],
  'no poller': ['poller-misconfiguration.md'],
  'reservoir discard': ['persistence-latency.md'],
  'sqlstate 40001': ['occ-conflicts.md', 'persistence-latency.md'],
  'rate limit exceeded': ['persistence-latency.md'],
  'shard acquired': ['shard-churn.md'],
  'shard released': ['shard-churn.md'],
  'serialization failure': ['occ-conflicts.md', 'persistence-latency.md'],
  'connection refused': ['no-data.md', 'persistence-latency.md'],
  'pool exhausted': ['persistence-latency.md'],
};

const KNOWN_PATTERNS = new Map(LOG_PATTERNS.map((p) => [p.pattern.toLowerCase(), p]));

interface LogLine {
  readonly pattern: string;
  readonly service: string;
  readonly count: number;
  readonly quote: string;
  readonly known: string | null;
}

function logLines(input: NarrateInput): LogLine[] {
  return input.log_patterns
    .filter((p) => Number.isFinite(p.count) && p.count > 0)
    .map((p) => {
      const pattern = sanitizeLogText(String(p.pattern), LABEL_MAX_CHARS);
      const lower = pattern.toLowerCase();
      return {
        pattern,
        service: sanitizeLogText(String(p.service), LABEL_MAX_CHARS),
        count: Math.round(p.count),
        quote: sanitizeLogText(String(p.sample_message), QUOTE_MAX_CHARS),
        known: KNOWN_PATTERNS.has(lower) ? lower : null,
      };
    })
    .sort(
      (a, b) =>
        b.count - a.count ||
        a.pattern.localeCompare(b.pattern) ||
        a.service.localeCompare(b.service),
    );
}

const logPhrase = (l: LogLine): string =>
  `${l.count}${l.service.length > 0 ? ` ${l.service}` : ''} log ${l.count === 1 ? 'line matches' : 'lines match'} "${l.pattern}"${l.quote.length > 0 ? `, e.g. “${l.quote}”` : ''}`;

// ---- the summary ------------------------------------------------------------------------------

function summaryOf(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
  actions: readonly DraftAction[],
): string {
  const { evaluation, v, state } = c;
  const band = `${evaluation.scale_band} band`;
  const byName = new Map(c.services.map((s) => [s.name, s]));
  const server = (['history', 'matching', 'frontend', 'persistence'] as const)
    .map((n) => byName.get(n))
    .filter((s): s is ServiceHealth => s !== undefined);
  const workers = byName.get('workers');
  const sentences: string[] = [];

  if (state === 'unknown') {
    sentences.push(
      `Health is unknown: Headway cannot judge forward progress because ${listOf(unknown.map((u) => u.text))}.`,
    );
    sentences.push(
      'Without data a stopped cluster and an idle one look the same, so this is neither good news nor an alarm.',
    );
    sentences.push(
      `History, matching, the frontend and persistence cannot be observed until the data returns; ${workers === undefined ? 'workers are not visible either' : workerClause(c)}.`,
    );
    const first = actions[0];
    if (first !== undefined)
      sentences.push(`First restore the data: ${lowerFirst(stripSee(first.description))}.`);
    return sentences.join(' ');
  }

  if (state === 'happy') {
    if (evaluation.is_idle) {
      sentences.push(
        `Cluster is happy and idle (${band}): no demand, no work waiting and nothing failing.`,
      );
      sentences.push(
        'History, matching, the frontend and persistence have nothing to do, so low throughput here is rest, not a stall.',
      );
      sentences.push(
        `${capitalize(workers === undefined ? 'workers are not visible' : workerClause(c))}.`,
      );
      return sentences.join(' ');
    }
    const st = v(F.throughput) ?? 0;
    const rate = v(F.completionRate);
    if (evaluation.is_system_busy) {
      sentences.push(
        `Cluster is happy (${band}) and busy with retention: history deletes ${num(v(F.deletion) ?? 0)} closed workflows/s while workflow demand is low (${num(st)} state transitions/s), so the low throughput is housekeeping, not a stall.`,
      );
    } else {
      sentences.push(
        `Cluster is happy (${band}): workflows make forward progress at ${num(st)} state transitions/s${rate === null ? '' : ` and ${pct(rate)} of finishing workflows succeed`}.`,
      );
    }
    sentences.push(`${capitalize(listOf(server.map((s) => happyClause(c, s))))}.`);
    // The state judges the server; the worker side is outside it, so a worker limit can be named
    // in a happy summary without contradicting the state.
    if (findings.some((f) => f.key === 'worker_limited')) {
      sentences.push(
        `Workers set the pace: ${workerClause(c).replace(/^workers /, 'they ')}, so tasks queue in matching while the server keeps up.`,
      );
    } else if (workers !== undefined) {
      sentences.push(`${capitalize(workerClause(c))}.`);
    }
    const other = findings.find((f) => f.key === 'no_pollers' || f.key === 'matching_waiting');
    if (other?.cause != null) sentences.push(`On the worker side, ${other.cause.text}.`);
    const improving = c.trends.filter((x) => x.trend === 'improving');
    const worsening = c.trends.filter((x) => x.trend === 'worsening');
    if (worsening.length > 0) {
      sentences.push(
        `Over the last ${c.window} observations ${listOf(worsening.map((x) => SIGNAL_LABEL[x.signal] ?? shortField(x.signal)))} ${worsening.length === 1 ? 'has' : 'have'} been rising, still within limits.`,
      );
    } else if (improving.length > 0) {
      sentences.push(
        `Over the last ${c.window} observations ${listOf(improving.map((x) => SIGNAL_LABEL[x.signal] ?? shortField(x.signal)))} ${improving.length === 1 ? 'has' : 'have'} been improving.`,
      );
    }
    return sentences.slice(0, 6).join(' ');
  }

  // Stressed or critical.
  const subjects: string[] = [];
  const problems: string[] = [];
  for (const g of c.fired) {
    const story = GATE_STORIES[g.id];
    const subject = story?.subject ?? g.id;
    if (subjects.includes(subject)) continue;
    subjects.push(subject);
    problems.push(story?.problem ?? `${g.id} fired`);
  }
  const pending =
    state === 'stressed' && c.fired.some((g) => g.kind === 'critical')
      ? ` (critical evaluation ${evaluation.consecutive_critical} of ${c.thresholds.rules.consecutive_critical}, stressed until confirmed)`
      : '';
  const between = findings.find((f) => f.key === 'between' || f.key === 'recovering');
  const headline =
    problems.length > 0
      ? listOf(problems)
      : between?.key === 'recovering'
        ? 'recovering from critical, still near the critical thresholds'
        : between !== undefined
          ? `between thresholds: ${lowerFirst(between.description.replace(/^No gate fires, but not every healthy gate passes: /, '').replace(/\.$/, ''))}`
          : (evaluation.reasons[0] ?? 'the rules found the cluster under pressure');
  sentences.push(`Cluster is ${state} (${band}): ${headline}${pending}.`);

  const troubled = c.services
    .filter((s) => s.status === 'critical' || s.status === 'stressed')
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'critical' ? -1 : 1));
  const fine = c.services.filter((s) => s.status === 'happy');
  const unseen = c.services.filter((s) => s.status === 'unknown');
  if (troubled.length > 0) {
    sentences.push(`${capitalize(troubled.map((s) => clauseOf(c, s)).join('; '))}.`);
  }
  const rest: string[] = [];
  if (fine.length > 0) {
    rest.push(
      `${capitalize(listOf(fine.map((s) => DISPLAY_NAME[s.name] ?? s.name)))} ${fine.length === 1 ? 'is' : 'are'} doing ${fine.length === 1 ? 'its' : 'their'} part normally`,
    );
  }
  for (const s of unseen) rest.push(clauseOf(c, s));
  if (rest.length > 0) sentences.push(`${capitalize(rest.join('; '))}.`);

  const top = findings.find((f) => f.cause !== null);
  if (top?.cause != null) {
    sentences.push(`Likely cause: ${top.cause.text}.`);
  } else if (between?.key === 'recovering') {
    sentences.push(
      'Nothing fails a gate now; the state stays stressed until the cluster is clear of the critical thresholds.',
    );
  } else {
    sentences.push(
      'Nothing fails a gate: the cluster makes progress, only below the healthy level, and the state waits for it to recover or to cross a limit.',
    );
  }
  const worsening = c.trends.filter((x) => x.trend === 'worsening');
  const improving = c.trends.filter((x) => x.trend === 'improving');
  if (worsening.length > 0) {
    sentences.push(
      `Over the last ${c.window} observations ${listOf(worsening.map((x) => SIGNAL_LABEL[x.signal] ?? shortField(x.signal)))} ${worsening.length === 1 ? 'is' : 'are'} getting worse.`,
    );
  } else if (improving.length > 0) {
    sentences.push(
      `Over the last ${c.window} observations ${listOf(improving.map((x) => SIGNAL_LABEL[x.signal] ?? shortField(x.signal)))} ${improving.length === 1 ? 'is' : 'are'} improving.`,
    );
  }
  return sentences.slice(0, 6).join(' ');
}

const lowerFirst = (s: string): string => (s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1));
const stripSee = (s: string): string => s.replace(/\s*See \S+\.md → .*$/, '').replace(/\.$/, '');

// ---- putting it together -------------------------------------------------------------------

function cite(kb: KnowledgeBase | undefined, cause: Cause): Citation | null {
  if (kb === undefined) return null;
  const hits = kb.search(cause.query, 10);
  // Only a section of the cause's own runbook is cited: the best hit elsewhere can be about
  // something else that shares a word (a "failing workflow" is not a "hot workflow").
  const hit =
    cause.runbook === '' ? undefined : hits.find((h) => h.file.endsWith(`/${cause.runbook}`));
  return hit === undefined ? null : { file: hit.file, heading: hit.heading };
}

/**
 * Explains an evaluation as a story. Pure and deterministic; the state is the evaluation's. With a
 * knowledge base, the runbook sections it used are cited and named in the actions.
 */
export function narrate(input: NarrateInput): Explanation {
  const c = buildContext(input);
  const { state } = c;
  const unknown = state === 'unknown' ? unknownReasons(c) : [];

  // Findings, most important first.
  let findings: Finding[] = [];
  if (state === 'unknown') {
    findings = [];
  } else if (state === 'stressed' || state === 'critical') {
    findings = c.fired.map((g) => gateFinding(c, g));
    // Two gates on one subject (a backlog past both limits) tell one story: keep the graver.
    const seen = new Set<string>();
    findings = findings.filter((f) => {
      const subject = GATE_STORIES[f.key.slice('gate:'.length)]?.subject ?? f.key;
      if (seen.has(subject)) return false;
      seen.add(subject);
      return true;
    });
    if (findings.length === 0) {
      const between = betweenFinding(c);
      if (between !== null) findings.push(between);
    }
  }
  if (state !== 'unknown' && !c.evaluation.is_idle) {
    const covered = new Set(findings.map((f) => f.cause?.key ?? f.key));
    findings.push(...offGateFindings(c, covered));
  }
  findings.sort((a, b) => b.rank - a.rank || a.key.localeCompare(b.key));

  // Citations and actions: one set of actions per cause, in finding order.
  const citations: Citation[] = [];
  const addCitation = (cit: Citation | null): Citation | null => {
    if (cit !== null && !citations.some((x) => x.file === cit.file && x.heading === cit.heading)) {
      citations.push(cit);
    }
    return cit;
  };
  const actions: DraftAction[] = [];
  const boost = state === 'critical' ? 0.05 : state === 'happy' ? -0.05 : 0;
  const pushAction = (seed: ActionSeed, citation: Citation | null): string => {
    const see =
      citation === null
        ? ''
        : ` See ${citation.file} → ${citation.heading}${/[.?!]$/.test(citation.heading) ? '' : '.'}`;
    const description = `${seed.description}.${see}`;
    if (actions.some((a) => a.description === description) || actions.length >= MAX_ACTIONS) {
      return description;
    }
    actions.push({
      action_type: seed.action_type,
      target_service: seed.target_service,
      description,
      confidence: round2(clamp01(seed.confidence + boost)),
      parameters: seed.parameters ?? null,
      risk_level: seed.risk_level,
    });
    return description;
  };
  // Suggested actions per cause, so every issue a cause explains lists the same steps.
  const stepsByCause = new Map<string, string[]>();
  if (state === 'unknown') {
    for (const u of unknown) {
      const citation = addCitation(
        cite(input.kb, {
          key: 'no_data',
          service: 'prometheus',
          text: u.text,
          runbook: 'no-data.md',
          query: u.heading,
          actions: [],
        }),
      );
      pushAction(u.action, citation);
    }
  } else {
    for (const f of findings) {
      if (f.cause === null || stepsByCause.has(f.cause.key)) continue;
      const citation = addCitation(cite(input.kb, f.cause));
      stepsByCause.set(
        f.cause.key,
        f.cause.actions.map((seed, i) => pushAction(seed, i === 0 ? citation : null)),
      );
    }
  }

  // Log lines: attached to the issue whose runbook they belong to, else reported on their own.
  const lines = logLines(input);
  const attached = new Map<string, LogLine[]>();
  const loose: LogLine[] = [];
  const evidence: LogEvidence[] = [];
  for (const l of lines) {
    const runbooks = l.known === null ? [] : (LOG_RUNBOOKS[l.known] ?? []);
    const target = findings.find((f) => f.cause !== null && runbooks.includes(f.cause.runbook));
    if (target !== undefined) attached.set(target.key, [...(attached.get(target.key) ?? []), l]);
    else loose.push(l);
    if (evidence.length < MAX_LOG_EVIDENCE) {
      evidence.push({
        pattern: l.pattern,
        service: l.service,
        count: l.count,
        quote: l.quote,
        issue: target?.title ?? null,
      });
    }
  }

  const issues: DraftIssue[] = [];
  if (state === 'unknown') {
    issues.push({
      severity: 'warning',
      title: 'Health cannot be judged',
      description: `Headway cannot tell whether the cluster makes progress: ${listOf(unknown.map((u) => u.text))}.`,
      likely_cause: 'Prometheus, the scrape target or the metrics the gates need are unavailable',
      suggested_actions: actions.map((a) => a.description),
      related_metrics: [],
    });
  }
  for (const f of findings) {
    const logs = attached.get(f.key) ?? [];
    issues.push({
      severity: f.severity,
      title: f.title,
      description:
        logs.length === 0
          ? f.description
          : `${f.description} Logs: ${logs.slice(0, 2).map(logPhrase).join('; ')}.`,
      likely_cause: f.cause === null ? null : capitalize(f.cause.text),
      suggested_actions: f.cause === null ? [] : (stepsByCause.get(f.cause.key) ?? []),
      related_metrics: f.metrics,
    });
  }
  for (const l of loose.slice(0, MAX_LOG_ISSUES)) {
    issues.push({
      severity: 'info',
      title: `Log pattern: ${l.pattern}`,
      description: `${capitalize(logPhrase(l))}${l.known === null ? '' : ` (${KNOWN_PATTERNS.get(l.known)?.description ?? 'known pattern'})`}.`,
      likely_cause: null,
      suggested_actions: [],
      related_metrics: [],
    });
  }

  return {
    health_state: state,
    summary: summaryOf(c, findings, unknown, actions),
    services: { services: c.services, bottleneck: c.bottleneck, trends: c.trends },
    issues,
    recommended_actions: actions,
    explanation: {
      explainer: 'narrator',
      contributing_factors: contributingFactors(c, findings, unknown),
      watch_next: watchNext(c, findings, unknown),
      citations,
      services: serviceStories(c),
      log_evidence: evidence,
    },
  };
}
