/**
 * The signal registry: every signal Headway reads is one entry here (id, group, wire field, unit,
 * meaning, role, PromQL). Counts, tables and docs are derived from this list, never from prose.
 *
 * Queries are built for the metric naming the target uses (`tally`: the dev server's default,
 * timers in seconds and counters without `_total`; `otel`: `_milliseconds` timers and `_total`
 * counters) and scoped with label selectors, so one Prometheus that scrapes several clusters (the
 * local stack scrapes two) is read for the monitored one only.
 */

export type SignalGroup = 'primary' | 'amplifier' | 'worker';
/** decides: feeds a state gate. explains: context for people and the explainer. classifies: bottleneck. */
export type SignalRole = 'decides' | 'explains' | 'classifies';
export type MetricNaming = 'tally' | 'otel';
export type SignalSource = 'prometheus' | 'derived' | 'logs' | 'none';

export interface QueryContext {
  readonly naming: MetricNaming;
  /** Label matchers that select the monitored server's series, e.g. `job="temporal-monitored"`. */
  readonly server: string;
  /** Label matchers for SDK worker series (`temporal_*`), e.g. `job="headway-worker"`. */
  readonly worker: string;
}

export interface SignalDef {
  /** Path inside its group object, e.g. `state_transitions.throughput_per_sec`. */
  readonly id: string;
  readonly group: SignalGroup;
  /** Reference numbering: P1…P12 primary, A1…A14 amplifiers, W1…W6 worker, WA worker amplifiers. */
  readonly ref: string;
  readonly unit: string;
  readonly meaning: string;
  readonly role: SignalRole;
  readonly source: SignalSource;
  readonly query?: (q: QueryContext) => string;
  /** For derived signals: computed from other fields of the same group (null when undefined). */
  readonly derive?: (get: (id: string) => number | null) => number | null;
  /**
   * Tally creates a metric on its first event. While the target is scraped, an absent series of a
   * lazy signal means "none yet": `zero` for event counters (and the backlog age: nothing has
   * waited), `no_data` for timer quantiles (null, but not an absent signal). Every other absent
   * series is an absent signal (null), never 0.
   */
  readonly lazy?: 'zero' | 'no_data';
  readonly clamp?: readonly [number, number];
  /** Only exported by the Aurora DSQL persistence plugin. */
  readonly dsql?: boolean;
  /** A deliberate difference from the reference copilot (see docs/health-model.md). */
  readonly differs?: string;
}

export const GROUP_FIELD: Readonly<Record<SignalGroup, string>> = {
  primary: 'primary_signals',
  amplifier: 'amplifiers',
  worker: 'worker_signals',
};

/** The full wire path, e.g. `primary_signals.state_transitions.throughput_per_sec`. */
export function fieldOf(def: Pick<SignalDef, 'group' | 'id'>): string {
  return `${GROUP_FIELD[def.group]}.${def.id}`;
}

// ---- PromQL builders -------------------------------------------------------------------------

function sel(...parts: string[]): string {
  return `{${parts.filter((p) => p.length > 0).join(', ')}}`;
}

/** A server counter: tally has no `_total` suffix, OpenTelemetry does. */
function counter(q: QueryContext, name: string): string {
  return q.naming === 'otel' ? `${name}_total` : name;
}

/** Per-second rate of a server counter (a regex of names is allowed, e.g. `a|b`). */
function rateOf(q: QueryContext, names: string, extra = '', window = '1m'): string {
  const list = names.split('|').map((n) => counter(q, n));
  const selector =
    list.length === 1
      ? `${list[0]}${sel(q.server, extra)}`
      : sel(`__name__=~"${list.join('|')}"`, q.server, extra);
  return `sum(rate(${selector}[${window}]))`;
}

/**
 * Scrape targets whose request counter went down within the window: only a new process resets a
 * counter, so this sees a restart however quickly the process came back.
 */
function restartedTargets(q: QueryContext, window: string): string {
  return `count(max by (instance) (resets(${counter(q, 'service_requests')}${sel(q.server)}[${window}])) > 0)`;
}

/** A quantile of a server timer, in milliseconds whatever the naming. */
function timerMs(q: QueryContext, name: string, quantile: number, extra = ''): string {
  if (q.naming === 'otel') {
    return `histogram_quantile(${quantile}, sum by (le) (rate(${name}_milliseconds_bucket${sel(q.server, extra)}[5m])))`;
  }
  return `histogram_quantile(${quantile}, sum by (le) (rate(${name}_bucket${sel(q.server, extra)}[5m]))) * 1000`;
}

/**
 * A quantile of a server timer used as an age, in seconds. When no task completed in the window
 * the quantile is NaN; `>= 0 or (count rate × 0)` turns that into 0 while the histogram exists,
 * and leaves the signal absent when the deployment does not export the histogram at all.
 */
function ageSeconds(q: QueryContext, name: string, quantile: number, extra: string): string {
  const bucket = q.naming === 'otel' ? `${name}_milliseconds_bucket` : `${name}_bucket`;
  const count = q.naming === 'otel' ? `${name}_milliseconds_count` : `${name}_count`;
  const scale = q.naming === 'otel' ? ' / 1000' : '';
  return (
    `(histogram_quantile(${quantile}, sum by (le) (rate(${bucket}${sel(q.server, extra)}[5m])))${scale} >= 0)` +
    ` or (sum(rate(${count}${sel(q.server, extra)}[5m])) * 0)`
  );
}

/** A dimensionless server histogram's count series. */
function histCount(q: QueryContext, name: string): string {
  return q.naming === 'otel' ? `${name}_ratio_count` : `${name}_count`;
}

/** SDK metric names vary with exporter options (`_total`, `_milliseconds`): match both. */
function sdk(q: QueryContext, name: string, suffixes: string[], extra = ''): string {
  const names = suffixes.map((s) => `${name}${s}`).join('|');
  return sel(`__name__=~"${names}"`, q.worker, extra);
}

function sdkGauge(q: QueryContext, name: string, extra: string): string {
  return `sum(${name}${sel(q.worker, extra)})`;
}

/** History operations that persist a workflow state change (the state-transition write path). */
const TRANSITION_WRITE_OPS =
  'StartWorkflowExecution|SignalWithStartWorkflowExecution|SignalWorkflowExecution|' +
  'RecordWorkflowTaskStarted|RespondWorkflowTaskCompleted|RespondWorkflowTaskFailed|' +
  'RecordActivityTaskStarted|RespondActivityTaskCompleted|RespondActivityTaskFailed|' +
  'RespondActivityTaskCanceled|RequestCancelWorkflowExecution|TerminateWorkflowExecution';

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || a + b <= 0 ? null : a / (a + b);

type Entry = Omit<SignalDef, 'group' | 'source' | 'role'> & {
  readonly source?: SignalSource;
  readonly role?: SignalRole;
};

function defineGroup(group: SignalGroup, role: SignalRole, entries: readonly Entry[]): SignalDef[] {
  return entries.map((e) => ({
    ...e,
    source: e.source ?? 'prometheus',
    role: e.role ?? role,
    group,
  }));
}

// ---- Primary signals: decide the state -------------------------------------------------------

const PRIMARY = defineGroup('primary', 'decides', [
  {
    id: 'state_transitions.throughput_per_sec',
    ref: 'P1',
    unit: 'st/s',
    role: 'decides',
    meaning: 'Real forward progress: persisted workflow state transitions per second',
    query: (q) => `sum(rate(${histCount(q, 'state_transition_count')}${sel(q.server)}[1m]))`,
    lazy: 'zero',
    differs:
      'reference rated the histogram _sum (a sum of cumulative per-execution counts, which grows ' +
      'with workflow length); the _count is one per persisted transition',
  },
  {
    id: 'state_transitions.latency_p95_ms',
    lazy: 'no_data',
    ref: 'P2',
    unit: 'ms',
    role: 'explains',
    meaning: 'p95 latency of the history RPCs that persist a state transition (the write path)',
    query: (q) =>
      timerMs(
        q,
        'service_latency',
        0.95,
        `service_name="history", operation=~"${TRANSITION_WRITE_OPS}"`,
      ),
    differs:
      'reference read state_transition_count (a dimensionless transitions-per-update histogram) and ' +
      'gated it as milliseconds; this is a real time: history service latency of the write path',
  },
  {
    id: 'state_transitions.latency_p99_ms',
    lazy: 'no_data',
    ref: 'P2',
    unit: 'ms',
    role: 'decides',
    meaning: 'p99 latency of the history RPCs that persist a state transition',
    query: (q) =>
      timerMs(
        q,
        'service_latency',
        0.99,
        `service_name="history", operation=~"${TRANSITION_WRITE_OPS}"`,
      ),
    differs: 'see state_transitions.latency_p95_ms',
  },
  {
    id: 'workflow_completion.success_per_sec',
    ref: 'P3',
    unit: '/s',
    role: 'decides',
    meaning: 'Workflows completed successfully per second',
    query: (q) => rateOf(q, 'workflow_success'),
    lazy: 'zero',
  },
  {
    id: 'workflow_completion.failed_per_sec',
    ref: 'P3',
    unit: '/s',
    role: 'decides',
    meaning: 'Workflows that failed or timed out per second',
    query: (q) => rateOf(q, 'workflow_failed|workflow_timeout'),
    lazy: 'zero',
    differs: 'reference counted failures only; a timed-out workflow made no progress either',
  },
  {
    id: 'workflow_completion.completion_rate',
    ref: 'P3',
    unit: 'ratio',
    role: 'decides',
    meaning: 'success / (success + failed); undefined (null) when nothing completed',
    source: 'derived',
    derive: (get) =>
      ratio(get('workflow_completion.success_per_sec'), get('workflow_completion.failed_per_sec')),
    clamp: [0, 1],
    differs: 'reference reported 1.0 when nothing completed; no data is not good news',
  },
  {
    id: 'history.backlog_age_sec',
    lazy: 'zero',
    ref: 'P4',
    unit: 's',
    role: 'decides',
    meaning: 'p95 time history tasks waited in queue: the strongest predictor of cascading failure',
    query: (q) => ageSeconds(q, 'task_latency_queue', 0.95, 'service_name="history"'),
  },
  {
    id: 'history.task_processing_rate_per_sec',
    ref: 'P5',
    unit: 'tasks/s',
    role: 'decides',
    meaning: 'History tasks processed per second: capacity against demand',
    query: (q) => rateOf(q, 'task_requests', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    id: 'history.shard_churn_rate_per_sec',
    ref: 'P6',
    unit: '/s',
    role: 'decides',
    meaning: 'Shards acquired per second: membership instability',
    query: (q) => rateOf(q, 'sharditem_created_count', '', '5m'),
    lazy: 'zero',
  },
  {
    id: 'server.restarts_recent',
    ref: 'P6',
    unit: 'restarts',
    meaning:
      'Server processes (scrape targets) that restarted in the last 2 minutes: a crash, an OOM kill or a deploy',
    query: (q) => restartedTargets(q, '2m'),
    lazy: 'zero',
    differs:
      'not in the reference; a process back within a second falls between scrapes and cycles, ' +
      'and only its counters resetting tells',
  },
  {
    id: 'frontend.error_rate_per_sec',
    ref: 'P7',
    unit: '/s',
    role: 'explains',
    meaning: 'Unexpected frontend errors per second: client impact',
    query: (q) => rateOf(q, 'service_errors', 'service_name="frontend"'),
    lazy: 'zero',
    differs:
      'reference counted service_error_with_type, which includes expected client errors such as ' +
      'NotFound and AlreadyStarted; service_errors counts unexpected ones',
  },
  {
    id: 'frontend.latency_p95_ms',
    lazy: 'no_data',
    ref: 'P8',
    unit: 'ms',
    role: 'explains',
    meaning: 'Frontend API latency p95, long polls excluded',
    query: (q) =>
      timerMs(q, 'service_latency', 0.95, 'service_name="frontend", operation!~"Poll.*"'),
    differs:
      'reference excluded only Poll*TaskQueue; PollWorkflowExecutionHistory (a client waiting for a ' +
      'result) is a long poll too and would read as a 20 s API latency',
  },
  {
    id: 'frontend.latency_p99_ms',
    lazy: 'no_data',
    ref: 'P8',
    unit: 'ms',
    role: 'decides',
    meaning: 'Frontend API latency p99, long polls excluded',
    query: (q) =>
      timerMs(q, 'service_latency', 0.99, 'service_name="frontend", operation!~"Poll.*"'),
    differs: 'see frontend.latency_p95_ms',
  },
  {
    id: 'frontend.long_poll_latency_p99_ms',
    lazy: 'no_data',
    ref: 'P8',
    unit: 'ms',
    role: 'explains',
    meaning: 'Raw frontend p99 including long polls (about the poll timeout when only polls run)',
    query: (q) => timerMs(q, 'service_latency', 0.99, 'service_name="frontend"'),
  },
  {
    id: 'matching.workflow_backlog_age_sec',
    ref: 'P9',
    unit: 's',
    role: 'explains',
    meaning: 'Age of the oldest waiting workflow task across task queues',
    query: (q) => `max(approximate_backlog_age_seconds${sel(q.server, 'task_type="Workflow"')})`,
    lazy: 'zero',
    differs:
      'reference read task_latency_queue for service matching, which matching does not emit (always ' +
      'empty); approximate_backlog_age_seconds is the age of the oldest waiting task',
  },
  {
    id: 'matching.activity_backlog_age_sec',
    ref: 'P9',
    unit: 's',
    role: 'explains',
    meaning: 'Age of the oldest waiting activity task across task queues',
    query: (q) => `max(approximate_backlog_age_seconds${sel(q.server, 'task_type="Activity"')})`,
    lazy: 'zero',
    differs: 'see matching.workflow_backlog_age_sec',
  },
  {
    id: 'poller.poll_success_rate',
    ref: 'P10',
    unit: 'ratio',
    role: 'explains',
    meaning: 'Share of polls that got a task; low means starved or over-provisioned pollers',
    source: 'derived',
    derive: (get) =>
      ratio(get('poller.poll_successes_per_sec'), get('poller.poll_timeouts_per_sec')),
    clamp: [0, 1],
    differs: 'reference reported 1.0 when nobody polled; undefined is reported as null',
  },
  {
    id: 'poller.poll_timeout_rate',
    ref: 'P10',
    unit: 'ratio',
    role: 'decides',
    meaning: 'Share of polls that timed out empty (with demand: pollers on the wrong queue)',
    source: 'derived',
    derive: (get) =>
      ratio(get('poller.poll_timeouts_per_sec'), get('poller.poll_successes_per_sec')),
    clamp: [0, 1],
  },
  {
    id: 'poller.poll_successes_per_sec',
    ref: 'P10',
    unit: '/s',
    role: 'explains',
    meaning: 'Polls that received a task per second',
    query: (q) => rateOf(q, 'poll_success'),
    lazy: 'zero',
  },
  {
    id: 'poller.poll_timeouts_per_sec',
    ref: 'P10',
    unit: '/s',
    role: 'explains',
    meaning: 'Polls that timed out empty per second',
    query: (q) => rateOf(q, 'poll_timeouts'),
    lazy: 'zero',
  },
  {
    id: 'poller.long_poll_latency_ms',
    lazy: 'no_data',
    ref: 'P10',
    unit: 'ms',
    role: 'explains',
    meaning: 'p95 long-poll latency in matching',
    query: (q) => timerMs(q, 'poll_latency', 0.95),
  },
  {
    id: 'poller.no_poller_tasks_per_sec',
    ref: 'P10',
    unit: '/s',
    role: 'explains',
    meaning: 'Tasks added to a queue with no recent poller per second: work nobody will pick up',
    query: (q) => rateOf(q, 'no_poller_tasks'),
    lazy: 'zero',
    differs: 'not in the reference; the server counts exactly the no-poller case',
  },
  {
    id: 'matching.tasks_added_per_sec',
    ref: 'P10',
    unit: '/s',
    role: 'explains',
    meaning:
      'Workflow and activity tasks history hands to matching per second (the demand on workers)',
    query: (q) =>
      `sum(rate(${counter(q, 'service_requests')}${sel(q.server, 'service_name="matching"', 'operation=~"AddWorkflowTask|AddActivityTask"')}[1m]))`,
    lazy: 'zero',
    differs: 'not in the reference; the denominator of matching.dispatch_ratio',
  },
  {
    id: 'matching.dispatch_ratio',
    ref: 'P10',
    unit: 'ratio',
    role: 'decides',
    meaning:
      'Tasks handed to workers per task added to matching (1: workers keep up; 0: nobody takes work)',
    source: 'derived',
    // Lives in the primary group, so `get` reads the poller and matching signals above.
    derive: (get) => {
      const added = get('matching.tasks_added_per_sec');
      const dispatched = get('poller.poll_successes_per_sec');
      return added === null || dispatched === null || added <= 0 ? null : dispatched / added;
    },
    // Workers draining a backlog take more than arrives; above 1 says nothing more.
    clamp: [0, 1],
    differs:
      'not in the reference. Its backlog signals (and the server backlog gauges, updated about ' +
      'once a minute and 0 while nothing is dispatched) missed a stopped worker fleet; this reads ' +
      'two counters that move with every task',
  },
  {
    id: 'persistence.latency_p95_ms',
    lazy: 'no_data',
    ref: 'P11',
    unit: 'ms',
    role: 'explains',
    meaning: 'History persistence latency p95 (the whole persistence path)',
    query: (q) => timerMs(q, 'persistence_latency', 0.95, 'service_name="history"'),
  },
  {
    id: 'persistence.latency_p99_ms',
    lazy: 'no_data',
    ref: 'P11',
    unit: 'ms',
    role: 'decides',
    meaning: 'History persistence latency p99',
    query: (q) => timerMs(q, 'persistence_latency', 0.99, 'service_name="history"'),
  },
  {
    id: 'persistence.error_rate_per_sec',
    ref: 'P12',
    unit: '/s',
    role: 'decides',
    meaning: 'History persistence errors per second: slow but working vs failing',
    query: (q) => rateOf(q, 'persistence_errors', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    id: 'persistence.retry_rate_per_sec',
    ref: 'P12',
    unit: '/s',
    role: 'explains',
    meaning: 'History persistence errors by type per second (retry pressure proxy)',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    id: 'system_operations.deletion_rate_per_sec',
    ref: 'P-sys',
    unit: '/s',
    role: 'decides',
    meaning: 'Retention and delete tasks per second (work that is not workflow progress)',
    query: (q) => rateOf(q, 'task_requests', 'task_type=~".*Delete.*"'),
    lazy: 'zero',
  },
  {
    id: 'system_operations.cleanup_delete_rate_per_sec',
    ref: 'P-sys',
    unit: '/s',
    role: 'decides',
    meaning: 'Retention-driven workflow cleanup deletes per second',
    query: (q) => rateOf(q, 'workflow_cleanup_delete'),
    lazy: 'zero',
  },
]);

// ---- Amplifiers: explain why, never decide ---------------------------------------------------

const AMPLIFIERS = defineGroup('amplifier', 'explains', [
  {
    id: 'persistence.occ_conflicts_per_sec',
    ref: 'A1',
    unit: '/s',
    meaning: 'Optimistic-concurrency conflicts (DSQL) per second: retry storms',
    query: (q) => rateOf(q, 'dsql_tx_conflict'),
    dsql: true,
    differs:
      'reference used ShardOwnershipLostError as a proxy with `or vector(0)`; absent on non-DSQL',
  },
  {
    id: 'persistence.cas_failures_per_sec',
    ref: 'A1',
    unit: '/s',
    meaning: 'Conditional-update (CAS) failures per second',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'error_type="ConditionFailedError"'),
    lazy: 'zero',
    differs: 'reference ran the same query as occ_conflicts_per_sec',
  },
  {
    id: 'persistence.serialization_failures_per_sec',
    ref: 'A1',
    unit: '/s',
    meaning: 'Serialization failures (SQLSTATE 40001) per second',
    query: (q) => rateOf(q, 'dsql_tx_serialization_failure'),
    dsql: true,
  },
  {
    id: 'persistence.shard_ownership_lost_per_sec',
    ref: 'A1',
    unit: '/s',
    meaning: 'Shard ownership lost errors per second: another host took the shard',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'error_type="ShardOwnershipLostError"'),
    lazy: 'zero',
  },
  {
    id: 'connection_pool.utilization_pct',
    ref: 'A2',
    unit: '%',
    meaning: 'Connections in use as a share of open connections',
    query: (q) =>
      `100 * sum(dsql_pool_in_use${sel(q.server)}) / sum(dsql_pool_open${sel(q.server)})` +
      ` or 100 * sum(persistence_sql_in_use${sel(q.server)}) / sum(persistence_sql_open_conn${sel(q.server)})`,
    clamp: [0, 100],
    differs: 'falls back to the server SQL pool gauges when the DSQL plugin is absent',
  },
  {
    id: 'connection_pool.wait_count',
    ref: 'A2',
    unit: '/s',
    meaning: 'Requests that had to wait for a pooled connection, per second',
    query: (q) => rateOf(q, 'dsql_pool_wait'),
    dsql: true,
    differs: 'reference summed a cumulative counter as a gauge; this is its rate',
  },
  {
    id: 'connection_pool.wait_duration_ms',
    ref: 'A2',
    unit: 'ms',
    meaning: 'p95 wait for a pooled connection',
    query: (q) => timerMs(q, 'dsql_pool_wait_duration', 0.95),
    dsql: true,
  },
  {
    id: 'connection_pool.opens_per_sec',
    ref: 'A3',
    unit: '/s',
    meaning: 'Connections opened (reservoir refills) per second',
    query: (q) => rateOf(q, 'dsql_reservoir_refills'),
    dsql: true,
  },
  {
    id: 'connection_pool.closes_per_sec',
    ref: 'A3',
    unit: '/s',
    meaning: 'Connections closed (reservoir discards) per second',
    query: (q) => rateOf(q, 'dsql_reservoir_discards'),
    dsql: true,
  },
  {
    id: 'connection_pool.churn_rate_per_sec',
    ref: 'A3',
    unit: '/s',
    meaning: 'Opens plus closes per second',
    source: 'derived',
    derive: (get) => {
      const opens = get('connection_pool.opens_per_sec');
      const closes = get('connection_pool.closes_per_sec');
      return opens === null || closes === null ? null : opens + closes;
    },
  },
  {
    id: 'queue.task_backlog_depth',
    ref: 'A4',
    unit: 'tasks',
    meaning: 'Tasks waiting in matching across task queues (approximate)',
    query: (q) => `sum(approximate_backlog_count${sel(q.server)})`,
    lazy: 'zero',
    differs: 'reference summed a cumulative histogram count; this is the backlog gauge',
  },
  {
    id: 'queue.retry_time_spent_sec',
    lazy: 'no_data',
    ref: 'A5',
    unit: 's',
    meaning: 'Time spent retrying history tasks: p95 attempts × p95 processing time',
    query: (q) =>
      `(histogram_quantile(0.95, sum by (le) (rate(${histCount(q, 'task_attempt').replace(/_count$/, '_bucket')}${sel(q.server)}[5m]))) - 1)` +
      ` * ${timerMs(q, 'task_latency_processing', 0.95)} / 1000`,
    differs: 'reference reported persistence errors/s under this name',
  },
  {
    id: 'worker.poller_concurrency',
    ref: 'A6',
    unit: 'pollers',
    meaning: 'Pollers reported by SDK workers',
    query: (q) => `sum(temporal_num_pollers${sel(q.worker)})`,
  },
  {
    id: 'worker.task_slots_available',
    ref: 'A6',
    unit: 'slots',
    meaning: 'Free task slots on SDK workers',
    query: (q) => `sum(temporal_worker_task_slots_available${sel(q.worker)})`,
  },
  {
    id: 'worker.task_slots_used',
    ref: 'A6',
    unit: 'slots',
    meaning: 'Busy task slots on SDK workers',
    query: (q) => `sum(temporal_worker_task_slots_used${sel(q.worker)})`,
  },
  {
    id: 'cache.hit_rate',
    ref: 'A7',
    unit: 'ratio',
    meaning: 'History cache hit rate: below ~0.8 the cache thrashes',
    source: 'derived',
    derive: (get) => {
      const requests = get('cache.requests_per_sec');
      const misses = get('cache.misses_per_sec');
      return requests === null || misses === null || requests <= 0 ? null : 1 - misses / requests;
    },
    clamp: [0, 1],
    differs: 'reference divided requests by requests + misses (misses are a subset of requests)',
  },
  {
    id: 'cache.requests_per_sec',
    ref: 'A7',
    unit: '/s',
    meaning: 'History cache lookups per second',
    query: (q) => rateOf(q, 'cache_requests'),
    lazy: 'zero',
  },
  {
    id: 'cache.misses_per_sec',
    ref: 'A7',
    unit: '/s',
    meaning: 'History cache misses per second',
    query: (q) => rateOf(q, 'cache_miss'),
    lazy: 'zero',
  },
  {
    id: 'cache.evictions_per_sec',
    ref: 'A7',
    unit: '/s',
    meaning: 'Cache errors per second (eviction pressure proxy)',
    query: (q) => rateOf(q, 'cache_errors'),
    lazy: 'zero',
  },
  {
    id: 'cache.size_bytes',
    ref: 'A7',
    unit: 'entries',
    meaning: 'Cache size as the server reports it',
    query: (q) => `sum(cache_size${sel(q.server)})`,
  },
  {
    id: 'shard.hot_shard_ratio',
    ref: 'A8',
    unit: 'ratio',
    meaning: 'Busiest shard lock rate over the average: 1 is even, high is a hot shard',
    query: (q) =>
      `max(rate(${counter(q, 'lock_requests')}${sel(q.server)}[1m])) / avg(rate(${counter(q, 'lock_requests')}${sel(q.server)}[1m]))`,
    differs: 'reference hard-coded 0',
  },
  {
    id: 'shard.max_shard_load_pct',
    ref: 'A8',
    unit: '%',
    meaning: 'No server metric gives per-shard load; reported absent rather than invented',
    source: 'none',
    differs: 'reference read max(lock_requests_total), a counter, as a percentage',
  },
  {
    id: 'grpc.in_flight_requests',
    ref: 'A9',
    unit: 'requests',
    meaning: 'Requests in flight on the server (long polls included)',
    query: (q) => `sum(service_pending_requests${sel(q.server)})`,
  },
  {
    id: 'grpc.server_queue_depth',
    ref: 'A9',
    unit: 'connections',
    meaning: 'Open gRPC connections to the server',
    query: (q) => `sum(service_grpc_conn_active${sel(q.server)})`,
    differs: 'reference hard-coded 0',
  },
  {
    id: 'runtime.goroutines',
    ref: 'A10',
    unit: 'goroutines',
    meaning: 'Goroutines in the server: a steady climb means starvation or leaks',
    query: (q) => `sum(num_goroutines${sel(q.server)})`,
  },
  {
    id: 'runtime.blocked_goroutines',
    ref: 'A10',
    unit: 'goroutines',
    meaning: 'Not exported by the server; reported absent rather than 0',
    source: 'none',
    differs: 'reference hard-coded 0',
  },
  {
    id: 'host.cpu_throttle_pct',
    ref: 'A11',
    unit: '%',
    meaning: 'CPU throttling of the server container (cAdvisor), when scraped',
    query: (q) =>
      `100 * sum(rate(container_cpu_cfs_throttled_periods_total${sel(q.server)}[1m])) / sum(rate(container_cpu_cfs_periods_total${sel(q.server)}[1m]))`,
    differs: 'reference hard-coded 0',
  },
  {
    id: 'host.memory_rss_bytes',
    ref: 'A11',
    unit: 'bytes',
    meaning: 'Resident memory of the server process, when its process collector is scraped',
    query: (q) => `sum(process_resident_memory_bytes${sel(q.server)})`,
    differs: 'reference hard-coded 0',
  },
  {
    id: 'host.heap_bytes',
    ref: 'A11',
    unit: 'bytes',
    meaning: 'Go heap in use by the server',
    query: (q) => `sum(memory_heap${sel(q.server)})`,
  },
  {
    id: 'host.gc_pause_ms',
    lazy: 'no_data',
    ref: 'A11',
    unit: 'ms',
    meaning: 'p95 garbage-collection pause',
    query: (q) =>
      `histogram_quantile(0.95, sum by (le) (rate(memory_gc_pause_ms_bucket${sel(q.server)}[1m])))`,
  },
  {
    id: 'throttling.rate_limit_events_per_sec',
    ref: 'A12',
    unit: '/s',
    meaning: 'Requests rejected as resource exhausted per second (rate limits)',
    query: (q) => rateOf(q, 'service_errors_resource_exhausted'),
    lazy: 'zero',
    differs: 'reference used DSQL pool waits as a proxy',
  },
  {
    id: 'throttling.admission_rejects_per_sec',
    ref: 'A12',
    unit: '/s',
    meaning: 'Persistence requests rejected by the persistence rate limiter per second',
    query: (q) => rateOf(q, 'persistence_errors_resource_exhausted'),
    lazy: 'zero',
    differs: 'reference hard-coded 0',
  },
  {
    id: 'log_patterns',
    ref: 'A13',
    unit: 'lines',
    meaning:
      'Narrative log patterns (see signals/log-patterns.ts), from Loki or the server log file',
    source: 'logs',
  },
  {
    id: 'deploy.membership_changes_per_min',
    ref: 'A14',
    unit: '/min',
    meaning: 'Ring membership changes per minute: deploy or crash churn',
    query: (q) => `${rateOf(q, 'membership_changed_count')} * 60`,
    lazy: 'zero',
  },
  {
    id: 'deploy.task_restarts',
    ref: 'A14',
    unit: 'restarts',
    meaning: 'Server processes (scrape targets) that restarted in the last 10 minutes',
    query: (q) => restartedTargets(q, '10m'),
    lazy: 'zero',
    differs:
      "reference hard-coded 0; the server's own `restarts` counter is 1 in every new process, so " +
      'its increase never sees a restart: Headway counts the targets whose counters reset',
  },
  {
    id: 'deploy.leader_changes_per_min',
    ref: 'A14',
    unit: '/min',
    meaning: 'Shards closed per minute (ownership moving between hosts)',
    query: (q) => `${rateOf(q, 'shard_closed_count')} * 60`,
    lazy: 'zero',
    differs: 'reference hard-coded 0',
  },
]);

// ---- Worker signals: classify the bottleneck --------------------------------------------------

const WORKER = defineGroup('worker', 'classifies', [
  {
    id: 'wft_schedule_to_start_p95_ms',
    lazy: 'no_data',
    ref: 'W1',
    unit: 'ms',
    meaning: 'Workflow task schedule-to-start p95 (server-side): under 50 ms is healthy',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.95, 'task_type="Workflow"'),
    differs:
      'reference filtered service_name="matching", task_type="WorkflowTask"; history emits this ' +
      'metric with task_type "Workflow" / "Activity", so its query matched nothing',
  },
  {
    id: 'wft_schedule_to_start_p99_ms',
    lazy: 'no_data',
    ref: 'W1',
    unit: 'ms',
    meaning: 'Workflow task schedule-to-start p99',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.99, 'task_type="Workflow"'),
  },
  {
    id: 'activity_schedule_to_start_p95_ms',
    lazy: 'no_data',
    ref: 'W2',
    unit: 'ms',
    meaning: 'Activity task schedule-to-start p95',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.95, 'task_type="Activity"'),
  },
  {
    id: 'activity_schedule_to_start_p99_ms',
    lazy: 'no_data',
    ref: 'W2',
    unit: 'ms',
    meaning: 'Activity task schedule-to-start p99',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.99, 'task_type="Activity"'),
  },
  {
    id: 'workflow_slots_available',
    ref: 'W3',
    unit: 'slots',
    meaning: 'Free workflow task slots: 0 means workers stop polling',
    query: (q) =>
      sdkGauge(q, 'temporal_worker_task_slots_available', 'worker_type="WorkflowWorker"'),
  },
  {
    id: 'workflow_slots_used',
    ref: 'W3',
    unit: 'slots',
    meaning: 'Busy workflow task slots',
    query: (q) => sdkGauge(q, 'temporal_worker_task_slots_used', 'worker_type="WorkflowWorker"'),
  },
  {
    id: 'activity_slots_available',
    ref: 'W4',
    unit: 'slots',
    meaning: 'Free activity task slots',
    query: (q) =>
      sdkGauge(q, 'temporal_worker_task_slots_available', 'worker_type="ActivityWorker"'),
  },
  {
    id: 'activity_slots_used',
    ref: 'W4',
    unit: 'slots',
    meaning: 'Busy activity task slots',
    query: (q) => sdkGauge(q, 'temporal_worker_task_slots_used', 'worker_type="ActivityWorker"'),
  },
  {
    id: 'workflow_pollers',
    ref: 'W5',
    unit: 'pollers',
    meaning: 'Workflow task pollers (sticky included)',
    query: (q) =>
      sdkGauge(q, 'temporal_num_pollers', 'poller_type=~"workflow_task|sticky_workflow_task"'),
  },
  {
    id: 'activity_pollers',
    ref: 'W6',
    unit: 'pollers',
    meaning: 'Activity task pollers',
    query: (q) => sdkGauge(q, 'temporal_num_pollers', 'poller_type="activity_task"'),
  },
  {
    id: 'sticky_cache_size',
    ref: 'WA',
    unit: 'workflows',
    meaning: 'Workflows held in the workers’ sticky cache',
    query: (q) => `sum(temporal_sticky_cache_size${sel(q.worker)})`,
    differs: 'reference summed a server counter of sticky completions',
  },
  {
    id: 'sticky_cache_hit_rate',
    ref: 'WA',
    unit: 'ratio',
    meaning: 'Sticky cache hits over hits + misses: under 0.5 workers replay constantly',
    source: 'derived',
    derive: (get) => ratio(get('sticky_cache_hits_per_sec'), get('sticky_cache_miss_rate_per_sec')),
    clamp: [0, 1],
    differs: 'reference read misses as vector(0), so the hit rate was always 1.0',
  },
  {
    id: 'sticky_cache_hits_per_sec',
    ref: 'WA',
    unit: '/s',
    meaning: 'Sticky cache hits per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_sticky_cache_hit', ['', '_total'])}[5m]))`,
  },
  {
    id: 'sticky_cache_miss_rate_per_sec',
    ref: 'WA',
    unit: '/s',
    meaning: 'Sticky cache misses per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_sticky_cache_miss', ['', '_total'])}[5m]))`,
  },
  {
    id: 'long_poll_latency_p95_ms',
    ref: 'WA',
    unit: 'ms',
    meaning: 'p95 latency of the workers’ long polls',
    query: (q) =>
      `histogram_quantile(0.95, sum by (le) (rate(${sdk(q, 'temporal_long_request_latency', ['_bucket', '_milliseconds_bucket'])}[5m])))`,
  },
  {
    id: 'long_poll_failure_rate_per_sec',
    ref: 'WA',
    unit: '/s',
    meaning: 'Failed worker requests per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_request_failure', ['', '_total'])}[5m]))`,
  },
]);

export const SIGNALS: readonly SignalDef[] = Object.freeze([...PRIMARY, ...AMPLIFIERS, ...WORKER]);

export function signalsOf(group: SignalGroup): SignalDef[] {
  return SIGNALS.filter((s) => s.group === group);
}

/** The query Headway uses to tell tally from OpenTelemetry naming on the scraped server. */
export function namingProbeQuery(server: string): string {
  return `count by (__name__) (${sel('__name__=~"service_requests|service_requests_total"', server)})`;
}

/** Series age of the server's last successful scrape, and whether it is up. */
export function targetQueries(server: string): { up: string; age: string } {
  return { up: `max(up${sel(server)})`, age: `time() - max(timestamp(up${sel(server)}))` };
}
