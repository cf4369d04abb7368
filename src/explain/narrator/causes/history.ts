import { FIELD } from '../../../model/signal-fields.js';

import type { Context } from '../context.js';
import { listOf, num, pct } from '../text.js';

import type { CauseEntry } from './cause.js';

/** What says history itself is short of capacity: CPU throttling, a hot shard, a thrashing cache. */
function capacityEvidence(c: Context): string[] {
  const { v, e } = c;
  const evidence: string[] = [];
  if (e.cpuThrottled) {
    evidence.push(`its CPU is throttled ${num(v(FIELD.cpuThrottle)!)} % of the time`);
  }
  if (e.hotShard)
    evidence.push(`one shard carries ${num(v(FIELD.hotShardRatio)!)}× the average load`);
  if (e.cacheThrashing)
    evidence.push(`its cache hits only ${pct(v(FIELD.cacheHitRate)!)} of lookups`);
  return evidence;
}

/** Causes that live in history: housekeeping, moving shards, restarts and its own capacity. */
export const HISTORY_CAUSES = {
  retention: {
    service: 'history',
    runbook: 'retention-storms.md',
    query: 'retention deletes without workflow demand system busy',
    detect: (c) => c.e.retention,
    text: (c) =>
      `retention is deleting closed workflows (${num(c.v(FIELD.deletion) ?? 0)} deletes/s, ${num(c.v(FIELD.cleanup) ?? 0)} cleanups/s), work that is housekeeping rather than workflow progress`,
    actions: () => [
      {
        action_type: 'monitor',
        target_service: 'history',
        description:
          'Let the retention deletions finish and watch the deletion rate fall; if bursts recur, spread the batch whose workflows expire together',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
  shards: {
    service: 'history',
    runbook: 'shard-churn.md',
    query: 'shards moving history hosts restarting membership',
    detect: (c) => c.e.shardsMoving,
    text: (c) => {
      const churn = c.v(FIELD.shardChurn);
      return `history shards keep changing owner (${churn === null ? 'churn' : `${num(churn)} acquisitions/s`}), which pauses the workflows on every moving shard`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          'Check history pods for restarts, OOM kills and failing probes, and hold off on scaling history while shards move',
        confidence: 0.65,
        risk_level: 'low',
      },
    ],
  },
  /** A server process came back: work in flight is retried, and the question is why it went. */
  server_restart: {
    service: 'history',
    runbook: '',
    query: 'server restart crash shard ownership',
    text: (c) => {
      const n = c.v(FIELD.restarts) ?? 1;
      return `${n === 1 ? 'a Temporal server process' : `${num(n)} Temporal server processes`} restarted in the last two minutes (a crash, an out-of-memory kill or a deploy): tasks in flight are retried and the state should settle once the restart leaves the window`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          "Find why the process exited: its last log lines, the exit code or OOM kill in the orchestrator's events; if it keeps restarting, check memory limits and persistence connectivity",
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
  /** A backlog gate, or history short of CPU or cache, with persistence and shards fine. */
  history_capacity: {
    service: 'history',
    runbook: 'backlog-growth.md',
    query: 'add history capacity replicas CPU backlog',
    detect: (c, g) => g.id.endsWith('history_backlog') || capacityEvidence(c).length > 0,
    text: (c) => {
      const evidence = capacityEvidence(c);
      return evidence.length > 0
        ? `history lacks capacity (${listOf(evidence)}) while persistence answers normally`
        : 'history lacks capacity: work arrives faster than it drains, while persistence answers normally and shards are stable';
    },
    actions: (c) => [
      {
        action_type: 'scale',
        target_service: 'history',
        description:
          'Add history replicas (or CPU); persistence is healthy, so more history capacity drains the backlog. Slow the producers if capacity cannot be added quickly',
        confidence: capacityEvidence(c).length > 0 ? 0.7 : 0.6,
        risk_level: 'medium',
        parameters: { direction: 'up' },
      },
    ],
  },
  history_slow: {
    service: 'history',
    runbook: 'backlog-growth.md',
    query: 'history out of CPU or cache',
    detect: (_c, g) => g.id === 'stressed.transition_latency',
    text: () =>
      "history's write path is slow while persistence answers normally: history itself is busy",
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          "Check history's CPU, cache hit rate and hot shards (the slow RPCs are the ones that persist a transition)",
        confidence: 0.45,
        risk_level: 'low',
      },
    ],
  },
  history_stalled: {
    service: 'history',
    runbook: 'backlog-growth.md',
    query: 'history not processing tasks stalled shard',
    text: () =>
      'history is not advancing workflows although persistence and shard ownership look normal',
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'history',
        description:
          'Check history logs and task queues for a stuck task (task_latency_queue, task attempts) and confirm every shard has an owner',
        confidence: 0.45,
        risk_level: 'low',
      },
    ],
  },
} satisfies Record<string, CauseEntry>;
