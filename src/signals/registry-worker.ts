/** Worker signals: classify the bottleneck (reference W1…W6 and worker amplifiers). */
import { FIELD, SIGNAL } from '../model/signal-fields.js';

import { sdk, sdkGauge, sel, timerMs } from './promql.js';
import { defineGroup, ratio } from './signal-def.js';

export const WORKER = defineGroup('worker', 'classifies', [
  {
    signal: SIGNAL.workflowScheduleToStartP95,
    lazy: 'no_data',
    ref: 'W1',
    meaning: 'Workflow task schedule-to-start p95 (server-side): under 50 ms is healthy',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.95, 'task_type="Workflow"'),
    differs:
      'reference filtered service_name="matching", task_type="WorkflowTask"; history emits this ' +
      'metric with task_type "Workflow" / "Activity", so its query matched nothing',
  },
  {
    signal: SIGNAL.workflowScheduleToStartP99,
    lazy: 'no_data',
    ref: 'W1',
    meaning: 'Workflow task schedule-to-start p99',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.99, 'task_type="Workflow"'),
  },
  {
    signal: SIGNAL.activityScheduleToStartP95,
    lazy: 'no_data',
    ref: 'W2',
    meaning: 'Activity task schedule-to-start p95',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.95, 'task_type="Activity"'),
  },
  {
    signal: SIGNAL.activityScheduleToStartP99,
    lazy: 'no_data',
    ref: 'W2',
    meaning: 'Activity task schedule-to-start p99',
    query: (q) => timerMs(q, 'task_schedule_to_start_latency', 0.99, 'task_type="Activity"'),
  },
  {
    signal: SIGNAL.workflowSlotsAvailable,
    ref: 'W3',
    meaning: 'Free workflow task slots: 0 means workers stop polling',
    query: (q) =>
      sdkGauge(q, 'temporal_worker_task_slots_available', 'worker_type="WorkflowWorker"'),
  },
  {
    signal: SIGNAL.workflowSlotsUsed,
    ref: 'W3',
    meaning: 'Busy workflow task slots',
    query: (q) => sdkGauge(q, 'temporal_worker_task_slots_used', 'worker_type="WorkflowWorker"'),
  },
  {
    signal: SIGNAL.activitySlotsAvailable,
    ref: 'W4',
    meaning: 'Free activity task slots',
    query: (q) =>
      sdkGauge(q, 'temporal_worker_task_slots_available', 'worker_type="ActivityWorker"'),
  },
  {
    signal: SIGNAL.activitySlotsUsed,
    ref: 'W4',
    meaning: 'Busy activity task slots',
    query: (q) => sdkGauge(q, 'temporal_worker_task_slots_used', 'worker_type="ActivityWorker"'),
  },
  {
    signal: SIGNAL.workflowPollers,
    ref: 'W5',
    meaning: 'Workflow task pollers (sticky included)',
    query: (q) =>
      sdkGauge(q, 'temporal_num_pollers', 'poller_type=~"workflow_task|sticky_workflow_task"'),
  },
  {
    signal: SIGNAL.activityPollers,
    ref: 'W6',
    meaning: 'Activity task pollers',
    query: (q) => sdkGauge(q, 'temporal_num_pollers', 'poller_type="activity_task"'),
  },
  {
    signal: SIGNAL.stickyCacheSize,
    ref: 'WA',
    meaning: 'Workflows held in the workers’ sticky cache',
    query: (q) => `sum(temporal_sticky_cache_size${sel(q.worker)})`,
    differs: 'reference summed a server counter of sticky completions',
  },
  {
    signal: SIGNAL.stickyCacheHitRate,
    ref: 'WA',
    meaning: 'Sticky cache hits over hits + misses: under 0.5 workers replay constantly',
    source: 'derived',
    derive: (get) => ratio(get(FIELD.stickyCacheHits), get(FIELD.stickyCacheMisses)),
    clamp: [0, 1],
    differs: 'reference read misses as vector(0), so the hit rate was always 1.0',
  },
  {
    signal: SIGNAL.stickyCacheHits,
    ref: 'WA',
    meaning: 'Sticky cache hits per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_sticky_cache_hit', ['', '_total'])}[5m]))`,
  },
  {
    signal: SIGNAL.stickyCacheMisses,
    ref: 'WA',
    meaning: 'Sticky cache misses per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_sticky_cache_miss', ['', '_total'])}[5m]))`,
  },
  {
    signal: SIGNAL.workerLongPollP95,
    ref: 'WA',
    meaning: 'p95 latency of the workers’ long polls',
    query: (q) =>
      `histogram_quantile(0.95, sum by (le) (rate(${sdk(q, 'temporal_long_request_latency', ['_bucket', '_milliseconds_bucket'])}[5m])))`,
  },
  {
    signal: SIGNAL.workerRequestFailures,
    ref: 'WA',
    meaning: 'Failed worker requests per second',
    query: (q) => `sum(rate(${sdk(q, 'temporal_request_failure', ['', '_total'])}[5m]))`,
  },
]);
