import { F } from '../../health/evaluate.js';

/**
 * Every signal field the narrator reads, in one place: the wire paths restate the signal registry,
 * so this module is the one to replace when the registry's typed fields arrive.
 */

export { F };

export const AMPLIFIER = {
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
export const NO_POLLER = 'primary_signals.poller.no_poller_tasks_per_sec';

export const WORKER = {
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

/** How a trend's signal is named in a sentence; others by their short field. */
export const SIGNAL_LABEL: Readonly<Record<string, string>> = {
  [F.throughput]: 'state transitions',
  [F.completionRate]: 'completion rate',
  [F.historyBacklog]: 'history backlog age',
  [F.persistenceP99]: 'persistence latency p99',
  [F.persistenceErrors]: 'persistence errors',
  [F.frontendP99]: 'frontend latency p99',
  [F.matchingWorkflowBacklog]: 'matching workflow backlog age',
};

export const shortField = (f: string): string => f.replace(/^(primary_signals|amplifiers)\./, '');

/** A comma-separated list of fields, shortened. */
export function shortFields(list: string): string {
  return list
    .split(',')
    .map((f) => shortField(f.trim()))
    .filter((f) => f.length > 0)
    .join(', ');
}

/** A signal's name in a sentence. */
export const signalLabel = (field: string): string => SIGNAL_LABEL[field] ?? shortField(field);
