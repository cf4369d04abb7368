/** Primary signals: decide the state (reference P1…P12). */
import { FIELD, SIGNAL } from '../model/signal-fields.js';

import {
  ageSeconds,
  counter,
  histCount,
  rateOf,
  rateWithNewSeries,
  restartedTargets,
  sel,
  timerMs,
  TRANSITION_WRITE_OPS,
} from './promql.js';
import { defineGroup, ratio } from './signal-def.js';

export const PRIMARY = defineGroup('primary', 'decides', [
  {
    signal: SIGNAL.throughput,
    ref: 'P1',
    role: 'decides',
    meaning: 'Real forward progress: persisted workflow state transitions per second',
    query: (q) => `sum(rate(${histCount(q, 'state_transition_count')}${sel(q.server)}[1m]))`,
    lazy: 'zero',
    differs:
      'reference rated the histogram _sum (a sum of cumulative per-execution counts, which grows ' +
      'with workflow length); the _count is one per persisted transition',
  },
  {
    signal: SIGNAL.transitionLatencyP95,
    lazy: 'no_data',
    ref: 'P2',
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
    signal: SIGNAL.transitionLatencyP99,
    lazy: 'no_data',
    ref: 'P2',
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
    signal: SIGNAL.success,
    ref: 'P3',
    role: 'decides',
    meaning: 'Workflows completed successfully per second',
    query: (q) => rateOf(q, 'workflow_success'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.failed,
    ref: 'P3',
    role: 'decides',
    meaning: 'Workflows that failed or timed out per second',
    query: (q) => rateOf(q, 'workflow_failed|workflow_timeout'),
    lazy: 'zero',
    differs: 'reference counted failures only; a timed-out workflow made no progress either',
  },
  {
    signal: SIGNAL.completionRate,
    ref: 'P3',
    role: 'decides',
    meaning: 'success / (success + failed); undefined (null) when nothing completed',
    source: 'derived',
    derive: (get) => ratio(get(FIELD.success), get(FIELD.failed)),
    clamp: [0, 1],
    differs: 'reference reported 1.0 when nothing completed; no data is not good news',
  },
  {
    signal: SIGNAL.historyBacklog,
    lazy: 'zero',
    ref: 'P4',
    role: 'decides',
    meaning: 'p95 time history tasks waited in queue: the strongest predictor of cascading failure',
    query: (q) => ageSeconds(q, 'task_latency_queue', 0.95, 'service_name="history"'),
  },
  {
    signal: SIGNAL.processing,
    ref: 'P5',
    role: 'decides',
    meaning: 'History tasks processed per second: capacity against demand',
    query: (q) => rateOf(q, 'task_requests', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.shardChurn,
    ref: 'P6',
    role: 'decides',
    meaning: 'Shards acquired per second: membership instability',
    query: (q) => rateWithNewSeries(q, 'sharditem_created_count', '', 300),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.restarts,
    ref: 'P6',
    meaning:
      'Server processes (scrape targets) that restarted in the last 2 minutes: a crash, an OOM kill or a deploy',
    query: (q) => restartedTargets(q, '2m'),
    lazy: 'zero',
    differs:
      'not in the reference; a process back within a second falls between scrapes and cycles, ' +
      'and only its counters resetting tells',
  },
  {
    signal: SIGNAL.servicesDown,
    ref: 'P-cluster',
    source: 'targets',
    meaning:
      'Temporal services (frontend, history, matching, worker) none of whose instances is up, while others are',
    differs:
      'not in the reference; from the targets labelled with their service (the cluster profile), ' +
      'absent where no target names one',
  },
  {
    signal: SIGNAL.instancesDown,
    ref: 'P-cluster',
    source: 'targets',
    meaning: 'Scrape targets of the monitored cluster that are down, while others are up',
    differs:
      'not in the reference; one instance of several gone is a part missing, not a blind copilot',
  },
  {
    signal: SIGNAL.frontendErrors,
    ref: 'P7',
    role: 'explains',
    meaning: 'Unexpected frontend errors per second: client impact',
    query: (q) => rateOf(q, 'service_errors', 'service_name="frontend"'),
    lazy: 'zero',
    differs:
      'reference counted service_error_with_type, which includes expected client errors such as ' +
      'NotFound and AlreadyStarted; service_errors counts unexpected ones',
  },
  {
    signal: SIGNAL.frontendP95,
    lazy: 'no_data',
    ref: 'P8',
    role: 'explains',
    meaning: 'Frontend API latency p95, long polls excluded',
    query: (q) =>
      timerMs(q, 'service_latency', 0.95, 'service_name="frontend", operation!~"Poll.*"'),
    differs:
      'reference excluded only Poll*TaskQueue; PollWorkflowExecutionHistory (a client waiting for a ' +
      'result) is a long poll too and would read as a 20 s API latency',
  },
  {
    signal: SIGNAL.frontendP99,
    lazy: 'no_data',
    ref: 'P8',
    role: 'decides',
    meaning: 'Frontend API latency p99, long polls excluded',
    query: (q) =>
      timerMs(q, 'service_latency', 0.99, 'service_name="frontend", operation!~"Poll.*"'),
    differs: 'see frontend.latency_p95_ms',
  },
  {
    signal: SIGNAL.frontendLongPollP99,
    lazy: 'no_data',
    ref: 'P8',
    role: 'explains',
    meaning: 'Raw frontend p99 including long polls (about the poll timeout when only polls run)',
    query: (q) => timerMs(q, 'service_latency', 0.99, 'service_name="frontend"'),
  },
  {
    signal: SIGNAL.matchingWorkflowBacklog,
    ref: 'P9',
    role: 'explains',
    meaning: 'Age of the oldest waiting workflow task across task queues',
    query: (q) => `max(approximate_backlog_age_seconds${sel(q.server, 'task_type="Workflow"')})`,
    lazy: 'zero',
    differs:
      'reference read task_latency_queue for service matching, which matching does not emit (always ' +
      'empty); approximate_backlog_age_seconds is the age of the oldest waiting task',
  },
  {
    signal: SIGNAL.matchingActivityBacklog,
    ref: 'P9',
    role: 'explains',
    meaning: 'Age of the oldest waiting activity task across task queues',
    query: (q) => `max(approximate_backlog_age_seconds${sel(q.server, 'task_type="Activity"')})`,
    lazy: 'zero',
    differs: 'see matching.workflow_backlog_age_sec',
  },
  {
    signal: SIGNAL.pollSuccessRate,
    ref: 'P10',
    role: 'explains',
    meaning: 'Share of polls that got a task; low means starved or over-provisioned pollers',
    source: 'derived',
    derive: (get) => ratio(get(FIELD.pollSuccesses), get(FIELD.pollTimeouts)),
    clamp: [0, 1],
    differs: 'reference reported 1.0 when nobody polled; undefined is reported as null',
  },
  {
    signal: SIGNAL.pollTimeoutRate,
    ref: 'P10',
    role: 'decides',
    meaning: 'Share of polls that timed out empty (with demand: pollers on the wrong queue)',
    source: 'derived',
    derive: (get) => ratio(get(FIELD.pollTimeouts), get(FIELD.pollSuccesses)),
    clamp: [0, 1],
  },
  {
    signal: SIGNAL.pollSuccesses,
    ref: 'P10',
    role: 'explains',
    meaning: 'Polls that received a task per second',
    query: (q) => rateOf(q, 'poll_success'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.pollTimeouts,
    ref: 'P10',
    role: 'explains',
    meaning: 'Polls that timed out empty per second',
    query: (q) => rateOf(q, 'poll_timeouts'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.matchingLongPollP95,
    lazy: 'no_data',
    ref: 'P10',
    role: 'explains',
    meaning: 'p95 long-poll latency in matching',
    query: (q) => timerMs(q, 'poll_latency', 0.95),
  },
  {
    signal: SIGNAL.noPollerTasks,
    ref: 'P10',
    role: 'explains',
    meaning: 'Tasks added to a queue with no recent poller per second: work nobody will pick up',
    query: (q) => rateOf(q, 'no_poller_tasks'),
    lazy: 'zero',
    differs: 'not in the reference; the server counts exactly the no-poller case',
  },
  {
    signal: SIGNAL.tasksAdded,
    ref: 'P10',
    role: 'explains',
    meaning:
      'Workflow and activity tasks history hands to matching per second (the demand on workers)',
    query: (q) =>
      `sum(rate(${counter(q, 'service_requests')}${sel(q.server, 'service_name="matching"', 'operation=~"AddWorkflowTask|AddActivityTask"')}[1m]))`,
    lazy: 'zero',
    differs: 'not in the reference; the denominator of matching.dispatch_ratio',
  },
  {
    signal: SIGNAL.dispatchRatio,
    ref: 'P10',
    role: 'decides',
    meaning:
      'Tasks handed to workers per task added to matching (1: workers keep up; 0: nobody takes work)',
    source: 'derived',
    // Lives in the primary group, so `get` reads the poller and matching signals above.
    derive: (get) => {
      const added = get(FIELD.tasksAdded);
      const dispatched = get(FIELD.pollSuccesses);
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
    signal: SIGNAL.persistenceP95,
    lazy: 'no_data',
    ref: 'P11',
    role: 'explains',
    meaning: 'History persistence latency p95 (the whole persistence path)',
    query: (q) => timerMs(q, 'persistence_latency', 0.95, 'service_name="history"'),
  },
  {
    signal: SIGNAL.persistenceP99,
    lazy: 'no_data',
    ref: 'P11',
    role: 'decides',
    meaning: 'History persistence latency p99',
    query: (q) => timerMs(q, 'persistence_latency', 0.99, 'service_name="history"'),
  },
  {
    signal: SIGNAL.persistenceErrors,
    ref: 'P12',
    role: 'decides',
    meaning: 'History persistence errors per second: slow but working vs failing',
    query: (q) => rateOf(q, 'persistence_errors', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.persistenceRetries,
    ref: 'P12',
    role: 'explains',
    meaning: 'History persistence errors by type per second (retry pressure proxy)',
    query: (q) => rateOf(q, 'persistence_error_with_type', 'service_name="history"'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.deletion,
    ref: 'P-sys',
    role: 'decides',
    meaning: 'Retention and delete tasks per second (work that is not workflow progress)',
    query: (q) => rateOf(q, 'task_requests', 'task_type=~".*Delete.*"'),
    lazy: 'zero',
  },
  {
    signal: SIGNAL.cleanup,
    ref: 'P-sys',
    role: 'decides',
    meaning: 'Retention-driven workflow cleanup deletes per second',
    query: (q) => rateOf(q, 'workflow_cleanup_delete'),
    lazy: 'zero',
  },
]);
