/**
 * The signal vocabulary: every signal Headway reads, named once with its group, id, unit and
 * label. The wire path (`primary_signals.history.backlog_age_sec`) is derived from group and id,
 * so a typo in a consumer is a type error instead of a signal that reads back as absent. How a
 * signal is collected (PromQL, derivation) lives in `signals/registry`, keyed by these fields.
 */

/** The wire object each group's values sit in. */
export const GROUP_FIELD = {
  primary: 'primary_signals',
  amplifier: 'amplifiers',
  worker: 'worker_signals',
} as const;

export type SignalGroup = keyof typeof GROUP_FIELD;

export interface SignalSpec<G extends SignalGroup = SignalGroup, I extends string = string> {
  readonly group: G;
  /** Path inside its group object, e.g. `state_transitions.throughput_per_sec`. */
  readonly id: I;
  /** The full wire path, e.g. `primary_signals.state_transitions.throughput_per_sec`. */
  readonly field: `${(typeof GROUP_FIELD)[G]}.${I}`;
  readonly unit: string;
  /** Lower-case words for prose and tables, e.g. `history backlog age`. */
  readonly label: string;
}

function spec<const G extends SignalGroup, const I extends string>(
  group: G,
  id: I,
  unit: string,
  label: string,
): SignalSpec<G, I> {
  const field = `${GROUP_FIELD[group]}.${id}` as const;
  return Object.freeze({ group, id, field, unit, label });
}

/** Every signal by its name, in the reference's order (P1…P12, A1…A14, W1…W6, WA). */
export const SIGNAL = {
  // ---- Primary signals: decide the state
  throughput: spec('primary', 'state_transitions.throughput_per_sec', 'st/s', 'state transitions'),
  transitionLatencyP95: spec(
    'primary',
    'state_transitions.latency_p95_ms',
    'ms',
    'state transition latency p95',
  ),
  transitionLatencyP99: spec(
    'primary',
    'state_transitions.latency_p99_ms',
    'ms',
    'state transition latency p99',
  ),
  success: spec('primary', 'workflow_completion.success_per_sec', '/s', 'workflow successes'),
  failed: spec('primary', 'workflow_completion.failed_per_sec', '/s', 'workflow failures'),
  completionRate: spec(
    'primary',
    'workflow_completion.completion_rate',
    'ratio',
    'completion rate',
  ),
  historyBacklog: spec('primary', 'history.backlog_age_sec', 's', 'history backlog age'),
  processing: spec(
    'primary',
    'history.task_processing_rate_per_sec',
    'tasks/s',
    'history task processing rate',
  ),
  shardChurn: spec('primary', 'history.shard_churn_rate_per_sec', '/s', 'shard churn'),
  restarts: spec('primary', 'server.restarts_recent', 'restarts', 'server restarts'),
  servicesDown: spec(
    'primary',
    'cluster.services_down',
    'services',
    'services with no instance up',
  ),
  instancesDown: spec('primary', 'cluster.instances_down', 'instances', 'instances not scraped'),
  frontendErrors: spec('primary', 'frontend.error_rate_per_sec', '/s', 'frontend errors'),
  frontendP95: spec('primary', 'frontend.latency_p95_ms', 'ms', 'frontend latency p95'),
  frontendP99: spec('primary', 'frontend.latency_p99_ms', 'ms', 'frontend latency p99'),
  frontendLongPollP99: spec(
    'primary',
    'frontend.long_poll_latency_p99_ms',
    'ms',
    'frontend long poll latency p99',
  ),
  matchingWorkflowBacklog: spec(
    'primary',
    'matching.workflow_backlog_age_sec',
    's',
    'matching workflow backlog age',
  ),
  matchingActivityBacklog: spec(
    'primary',
    'matching.activity_backlog_age_sec',
    's',
    'matching activity backlog age',
  ),
  pollSuccessRate: spec('primary', 'poller.poll_success_rate', 'ratio', 'poller poll success rate'),
  pollTimeoutRate: spec('primary', 'poller.poll_timeout_rate', 'ratio', 'poller poll timeout rate'),
  pollSuccesses: spec('primary', 'poller.poll_successes_per_sec', '/s', 'poller poll successes'),
  pollTimeouts: spec('primary', 'poller.poll_timeouts_per_sec', '/s', 'poller poll timeouts'),
  matchingLongPollP95: spec(
    'primary',
    'poller.long_poll_latency_ms',
    'ms',
    'matching long poll latency p95',
  ),
  noPollerTasks: spec('primary', 'poller.no_poller_tasks_per_sec', '/s', 'tasks with no poller'),
  tasksAdded: spec('primary', 'matching.tasks_added_per_sec', '/s', 'matching tasks added'),
  dispatchRatio: spec('primary', 'matching.dispatch_ratio', 'ratio', 'matching dispatch ratio'),
  persistenceP95: spec('primary', 'persistence.latency_p95_ms', 'ms', 'persistence latency p95'),
  persistenceP99: spec('primary', 'persistence.latency_p99_ms', 'ms', 'persistence latency p99'),
  persistenceErrors: spec('primary', 'persistence.error_rate_per_sec', '/s', 'persistence errors'),
  persistenceRetries: spec(
    'primary',
    'persistence.retry_rate_per_sec',
    '/s',
    'persistence retries',
  ),
  deletion: spec('primary', 'system_operations.deletion_rate_per_sec', '/s', 'deletion rate'),
  cleanup: spec(
    'primary',
    'system_operations.cleanup_delete_rate_per_sec',
    '/s',
    'cleanup delete rate',
  ),
  // ---- Amplifiers: explain why, never decide
  occConflicts: spec(
    'amplifier',
    'persistence.occ_conflicts_per_sec',
    '/s',
    'persistence occ conflicts',
  ),
  casFailures: spec(
    'amplifier',
    'persistence.cas_failures_per_sec',
    '/s',
    'persistence cas failures',
  ),
  serializationFailures: spec(
    'amplifier',
    'persistence.serialization_failures_per_sec',
    '/s',
    'persistence serialization failures',
  ),
  shardOwnershipLost: spec(
    'amplifier',
    'persistence.shard_ownership_lost_per_sec',
    '/s',
    'persistence shard ownership lost',
  ),
  poolUtilization: spec(
    'amplifier',
    'connection_pool.utilization_pct',
    '%',
    'connection pool utilization',
  ),
  poolWaits: spec('amplifier', 'connection_pool.wait_count', '/s', 'connection pool wait count'),
  poolWaitDuration: spec(
    'amplifier',
    'connection_pool.wait_duration_ms',
    'ms',
    'connection pool wait duration',
  ),
  poolOpens: spec('amplifier', 'connection_pool.opens_per_sec', '/s', 'connection pool opens'),
  poolCloses: spec('amplifier', 'connection_pool.closes_per_sec', '/s', 'connection pool closes'),
  poolChurn: spec(
    'amplifier',
    'connection_pool.churn_rate_per_sec',
    '/s',
    'connection pool churn rate',
  ),
  taskBacklogDepth: spec(
    'amplifier',
    'queue.task_backlog_depth',
    'tasks',
    'queue task backlog depth',
  ),
  retryTimeSpent: spec('amplifier', 'queue.retry_time_spent_sec', 's', 'queue retry time spent'),
  sdkPollers: spec(
    'amplifier',
    'worker.poller_concurrency',
    'pollers',
    'worker poller concurrency',
  ),
  sdkSlotsAvailable: spec(
    'amplifier',
    'worker.task_slots_available',
    'slots',
    'worker task slots available',
  ),
  sdkSlotsUsed: spec('amplifier', 'worker.task_slots_used', 'slots', 'worker task slots used'),
  cacheHitRate: spec('amplifier', 'cache.hit_rate', 'ratio', 'cache hit rate'),
  cacheRequests: spec('amplifier', 'cache.requests_per_sec', '/s', 'cache requests'),
  cacheMisses: spec('amplifier', 'cache.misses_per_sec', '/s', 'cache misses'),
  cacheEvictions: spec('amplifier', 'cache.evictions_per_sec', '/s', 'cache evictions'),
  cacheSize: spec('amplifier', 'cache.size_bytes', 'entries', 'cache size'),
  hotShardRatio: spec('amplifier', 'shard.hot_shard_ratio', 'ratio', 'hot shard ratio'),
  maxShardLoad: spec('amplifier', 'shard.max_shard_load_pct', '%', 'shard max shard load'),
  grpcInFlight: spec('amplifier', 'grpc.in_flight_requests', 'requests', 'grpc in flight requests'),
  grpcConnections: spec(
    'amplifier',
    'grpc.server_queue_depth',
    'connections',
    'grpc server queue depth',
  ),
  goroutines: spec('amplifier', 'runtime.goroutines', 'goroutines', 'runtime goroutines'),
  blockedGoroutines: spec(
    'amplifier',
    'runtime.blocked_goroutines',
    'goroutines',
    'runtime blocked goroutines',
  ),
  cpuThrottle: spec('amplifier', 'host.cpu_throttle_pct', '%', 'host cpu throttle'),
  memoryRss: spec('amplifier', 'host.memory_rss_bytes', 'bytes', 'host memory rss'),
  heap: spec('amplifier', 'host.heap_bytes', 'bytes', 'host heap'),
  gcPause: spec('amplifier', 'host.gc_pause_ms', 'ms', 'host gc pause'),
  rateLimitEvents: spec(
    'amplifier',
    'throttling.rate_limit_events_per_sec',
    '/s',
    'throttling rate limit events',
  ),
  admissionRejects: spec(
    'amplifier',
    'throttling.admission_rejects_per_sec',
    '/s',
    'throttling admission rejects',
  ),
  logPatterns: spec('amplifier', 'log_patterns', 'lines', 'log patterns'),
  membershipChanges: spec(
    'amplifier',
    'deploy.membership_changes_per_min',
    '/min',
    'deploy membership changes',
  ),
  deployRestarts: spec('amplifier', 'deploy.task_restarts', 'restarts', 'deploy task restarts'),
  leaderChanges: spec(
    'amplifier',
    'deploy.leader_changes_per_min',
    '/min',
    'deploy leader changes',
  ),
  // ---- Worker signals: classify the bottleneck
  workflowScheduleToStartP95: spec(
    'worker',
    'wft_schedule_to_start_p95_ms',
    'ms',
    'workflow task schedule-to-start p95',
  ),
  workflowScheduleToStartP99: spec(
    'worker',
    'wft_schedule_to_start_p99_ms',
    'ms',
    'workflow task schedule-to-start p99',
  ),
  activityScheduleToStartP95: spec(
    'worker',
    'activity_schedule_to_start_p95_ms',
    'ms',
    'activity task schedule-to-start p95',
  ),
  activityScheduleToStartP99: spec(
    'worker',
    'activity_schedule_to_start_p99_ms',
    'ms',
    'activity task schedule-to-start p99',
  ),
  workflowSlotsAvailable: spec(
    'worker',
    'workflow_slots_available',
    'slots',
    'workflow slots available',
  ),
  workflowSlotsUsed: spec('worker', 'workflow_slots_used', 'slots', 'workflow slots used'),
  activitySlotsAvailable: spec(
    'worker',
    'activity_slots_available',
    'slots',
    'activity slots available',
  ),
  activitySlotsUsed: spec('worker', 'activity_slots_used', 'slots', 'activity slots used'),
  workflowPollers: spec('worker', 'workflow_pollers', 'pollers', 'workflow pollers'),
  activityPollers: spec('worker', 'activity_pollers', 'pollers', 'activity pollers'),
  stickyCacheSize: spec('worker', 'sticky_cache_size', 'workflows', 'sticky cache size'),
  stickyCacheHitRate: spec('worker', 'sticky_cache_hit_rate', 'ratio', 'sticky cache hit rate'),
  stickyCacheHits: spec('worker', 'sticky_cache_hits_per_sec', '/s', 'sticky cache hits'),
  stickyCacheMisses: spec(
    'worker',
    'sticky_cache_miss_rate_per_sec',
    '/s',
    'sticky cache miss rate',
  ),
  workerLongPollP95: spec(
    'worker',
    'long_poll_latency_p95_ms',
    'ms',
    'worker long poll latency p95',
  ),
  workerRequestFailures: spec(
    'worker',
    'long_poll_failure_rate_per_sec',
    '/s',
    'worker request failures',
  ),
} as const;

export type SignalName = keyof typeof SIGNAL;

/** A wire path of a signal: the union of every `group.section.field` Headway reads. */
export type SignalField = (typeof SIGNAL)[SignalName]['field'];

/** Every signal's spec, in registry order. */
export const SIGNAL_SPECS: readonly SignalSpec[] = Object.freeze(Object.values(SIGNAL));

/** Wire paths by signal name: `FIELD.historyBacklog` is `primary_signals.history.backlog_age_sec`. */
export const FIELD = Object.freeze(
  Object.fromEntries(Object.entries(SIGNAL).map(([name, s]) => [name, s.field])),
) as { readonly [K in SignalName]: (typeof SIGNAL)[K]['field'] };

const BY_FIELD: ReadonlyMap<string, SignalSpec> = new Map(SIGNAL_SPECS.map((s) => [s.field, s]));

/** The spec of a wire path, or undefined when Headway has no such signal. */
export function signalSpec(field: string): SignalSpec | undefined {
  return BY_FIELD.get(field);
}

export function isSignalField(field: string): field is SignalField {
  return BY_FIELD.has(field);
}
