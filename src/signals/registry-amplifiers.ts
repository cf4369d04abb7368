/** Amplifiers: explain why, never decide (reference A1…A14). */
import { FIELD, SIGNAL } from '../model/signal-fields.js';

import { counter, histCount, rateOf, restartedTargets, sel, timerMs } from './promql.js';
import { defineGroup } from './signal-def.js';

export const AMPLIFIERS = defineGroup('amplifier', 'explains', [
  {
    signal: SIGNAL.occConflicts,
    ref: 'A1',
    meaning: 'Optimistic-concurrency conflicts (DSQL) per second: retry storms',
    query: (q) => rateOf(q, 'dsql_tx_conflict'),
    dsql: true,
    differs:
      'reference used ShardOwnershipLostError as a proxy with `or vector(0)`; absent on non-DSQL',
  },
  {
    signal: SIGNAL.casFailures,
    ref: 'A1',
    meaning: 'Conditional-update (CAS) failures per second',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'error_type="ConditionFailedError"'),
    lazy: 'zero',
    differs: 'reference ran the same query as occ_conflicts_per_sec',
  },
  {
    signal: SIGNAL.serializationFailures,
    ref: 'A1',
    meaning: 'Serialization failures (SQLSTATE 40001) per second',
    query: (q) => rateOf(q, 'dsql_tx_serialization_failure'),
    dsql: true,
  },
  {
    signal: SIGNAL.shardOwnershipLost,
    ref: 'A1',
    meaning: 'Shard ownership lost errors per second: another host took the shard',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'error_type="ShardOwnershipLostError"'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.poolUtilization,
    ref: 'A2',
    meaning: 'Connections in use as a share of open connections',
    query: (q) =>
      `100 * sum(dsql_pool_in_use${sel(q.server)}) / sum(dsql_pool_open${sel(q.server)})` +
      ` or 100 * sum(persistence_sql_in_use${sel(q.server)}) / sum(persistence_sql_open_conn${sel(q.server)})`,
    clamp: [0, 100],
    differs: 'falls back to the server SQL pool gauges when the DSQL plugin is absent',
  },
  {
    signal: SIGNAL.poolWaits,
    ref: 'A2',
    meaning: 'Requests that had to wait for a pooled connection, per second',
    query: (q) => rateOf(q, 'dsql_pool_wait'),
    dsql: true,
    differs: 'reference summed a cumulative counter as a gauge; this is its rate',
  },
  {
    signal: SIGNAL.poolWaitDuration,
    ref: 'A2',
    meaning: 'p95 wait for a pooled connection',
    query: (q) => timerMs(q, 'dsql_pool_wait_duration', 0.95),
    dsql: true,
  },
  {
    signal: SIGNAL.poolOpens,
    ref: 'A3',
    meaning: 'Connections opened (reservoir refills) per second',
    query: (q) => rateOf(q, 'dsql_reservoir_refills'),
    dsql: true,
  },
  {
    signal: SIGNAL.poolCloses,
    ref: 'A3',
    meaning: 'Connections closed (reservoir discards) per second',
    query: (q) => rateOf(q, 'dsql_reservoir_discards'),
    dsql: true,
  },
  {
    signal: SIGNAL.poolChurn,
    ref: 'A3',
    meaning: 'Opens plus closes per second',
    source: 'derived',
    derive: (get) => {
      const opens = get(FIELD.poolOpens);
      const closes = get(FIELD.poolCloses);
      return opens === null || closes === null ? null : opens + closes;
    },
  },
  {
    signal: SIGNAL.taskBacklogDepth,
    ref: 'A4',
    meaning: 'Tasks waiting in matching across task queues (approximate)',
    query: (q) => `sum(approximate_backlog_count${sel(q.server)})`,
    lazy: 'zero',
    differs: 'reference summed a cumulative histogram count; this is the backlog gauge',
  },
  {
    signal: SIGNAL.retryTimeSpent,
    lazy: 'no_data',
    ref: 'A5',
    meaning: 'Time spent retrying history tasks: p95 attempts × p95 processing time',
    query: (q) =>
      `(histogram_quantile(0.95, sum by (le) (rate(${histCount(q, 'task_attempt').replace(/_count$/, '_bucket')}${sel(q.server)}[5m]))) - 1)` +
      ` * ${timerMs(q, 'task_latency_processing', 0.95)} / 1000`,
    differs: 'reference reported persistence errors/s under this name',
  },
  {
    signal: SIGNAL.sdkPollers,
    ref: 'A6',
    meaning: 'Pollers reported by SDK workers',
    query: (q) => `sum(temporal_num_pollers${sel(q.worker)})`,
  },
  {
    signal: SIGNAL.sdkSlotsAvailable,
    ref: 'A6',
    meaning: 'Free task slots on SDK workers',
    query: (q) => `sum(temporal_worker_task_slots_available${sel(q.worker)})`,
  },
  {
    signal: SIGNAL.sdkSlotsUsed,
    ref: 'A6',
    meaning: 'Busy task slots on SDK workers',
    query: (q) => `sum(temporal_worker_task_slots_used${sel(q.worker)})`,
  },
  {
    signal: SIGNAL.cacheHitRate,
    ref: 'A7',
    meaning: 'History cache hit rate: below ~0.8 the cache thrashes',
    source: 'derived',
    derive: (get) => {
      const requests = get(FIELD.cacheRequests);
      const misses = get(FIELD.cacheMisses);
      return requests === null || misses === null || requests <= 0 ? null : 1 - misses / requests;
    },
    clamp: [0, 1],
    differs: 'reference divided requests by requests + misses (misses are a subset of requests)',
  },
  {
    signal: SIGNAL.cacheRequests,
    ref: 'A7',
    meaning: 'History cache lookups per second',
    query: (q) => rateOf(q, 'cache_requests'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.cacheMisses,
    ref: 'A7',
    meaning: 'History cache misses per second',
    query: (q) => rateOf(q, 'cache_miss'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.cacheEvictions,
    ref: 'A7',
    meaning: 'Cache errors per second (eviction pressure proxy)',
    query: (q) => rateOf(q, 'cache_errors'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.cacheSize,
    ref: 'A7',
    meaning: 'Cache size as the server reports it',
    query: (q) => `sum(cache_size${sel(q.server)})`,
  },
  {
    signal: SIGNAL.hotShardRatio,
    ref: 'A8',
    meaning: 'Busiest shard lock rate over the average: 1 is even, high is a hot shard',
    query: (q) =>
      `max(rate(${counter(q, 'lock_requests')}${sel(q.server)}[1m])) / avg(rate(${counter(q, 'lock_requests')}${sel(q.server)}[1m]))`,
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.maxShardLoad,
    ref: 'A8',
    meaning: 'No server metric gives per-shard load; reported absent rather than invented',
    source: 'none',
    differs: 'reference read max(lock_requests_total), a counter, as a percentage',
  },
  {
    signal: SIGNAL.grpcInFlight,
    ref: 'A9',
    meaning: 'Requests in flight on the server (long polls included)',
    query: (q) => `sum(service_pending_requests${sel(q.server)})`,
  },
  {
    signal: SIGNAL.grpcConnections,
    ref: 'A9',
    meaning: 'Open gRPC connections to the server',
    query: (q) => `sum(service_grpc_conn_active${sel(q.server)})`,
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.goroutines,
    ref: 'A10',
    meaning: 'Goroutines in the server: a steady climb means starvation or leaks',
    query: (q) => `sum(num_goroutines${sel(q.server)})`,
  },
  {
    signal: SIGNAL.blockedGoroutines,
    ref: 'A10',
    meaning: 'Not exported by the server; reported absent rather than 0',
    source: 'none',
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.cpuThrottle,
    ref: 'A11',
    meaning: 'CPU throttling of the server container (cAdvisor), when scraped',
    query: (q) =>
      `100 * sum(rate(container_cpu_cfs_throttled_periods_total${sel(q.server)}[1m])) / sum(rate(container_cpu_cfs_periods_total${sel(q.server)}[1m]))`,
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.memoryRss,
    ref: 'A11',
    meaning: 'Resident memory of the server process, when its process collector is scraped',
    query: (q) => `sum(process_resident_memory_bytes${sel(q.server)})`,
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.heap,
    ref: 'A11',
    meaning: 'Go heap in use by the server',
    query: (q) => `sum(memory_heap${sel(q.server)})`,
  },
  {
    signal: SIGNAL.gcPause,
    lazy: 'no_data',
    ref: 'A11',
    meaning: 'p95 garbage-collection pause',
    query: (q) =>
      `histogram_quantile(0.95, sum by (le) (rate(memory_gc_pause_ms_bucket${sel(q.server)}[1m])))`,
  },
  {
    signal: SIGNAL.rateLimitEvents,
    ref: 'A12',
    meaning: 'Requests rejected as resource exhausted per second (rate limits)',
    query: (q) => rateOf(q, 'service_errors_resource_exhausted'),
    lazy: 'zero',
    differs: 'reference used DSQL pool waits as a proxy',
  },
  {
    signal: SIGNAL.admissionRejects,
    ref: 'A12',
    meaning: 'Persistence requests rejected by the persistence rate limiter per second',
    query: (q) => rateOf(q, 'persistence_errors_resource_exhausted'),
    lazy: 'zero',
    differs: 'reference hard-coded 0',
  },
  {
    signal: SIGNAL.logPatterns,
    ref: 'A13',
    meaning:
      'Narrative log patterns (see signals/log-patterns.ts), from Loki or the server log file',
    source: 'logs',
  },
  {
    signal: SIGNAL.membershipChanges,
    ref: 'A14',
    meaning: 'Ring membership changes per minute: deploy or crash churn',
    query: (q) => `${rateOf(q, 'membership_changed_count')} * 60`,
    lazy: 'zero',
  },
  {
    signal: SIGNAL.deployRestarts,
    ref: 'A14',
    meaning: 'Server processes (scrape targets) that restarted in the last 10 minutes',
    query: (q) => restartedTargets(q, '10m'),
    lazy: 'zero',
    differs:
      "reference hard-coded 0; the server's own `restarts` counter is 1 in every new process, so " +
      'its increase never sees a restart: Headway counts the targets whose counters reset',
  },
  {
    signal: SIGNAL.leaderChanges,
    ref: 'A14',
    meaning: 'Shards closed per minute (ownership moving between hosts)',
    query: (q) => `${rateOf(q, 'shard_closed_count')} * 60`,
    lazy: 'zero',
    differs: 'reference hard-coded 0',
  },
]);
