import { FIELD } from '../../../model/signal-fields.js';

import { fullSlotPools, type Context } from '../context.js';
import { num, pct } from '../text.js';

import type { CauseEntry } from './cause.js';

/** Workers take fewer tasks than arrive; `slotsFull` when a slot pool is at zero. */
function tooFewWorkers(slotsFull: boolean, key: string): CauseEntry {
  return {
    key,
    service: 'workers',
    runbook: 'worker-slot-exhaustion.md',
    query: 'tasks wait for workers matching backlog add workers',
    ...(slotsFull ? { detect: (c: Context) => c.e.slotsExhausted } : {}),
    text: (c) => {
      const ratio = c.v(FIELD.dispatchRatio);
      return `workers take ${ratio === null ? 'fewer' : `only ${pct(ratio)} of the`} tasks ${ratio === null ? 'than arrive' : 'that arrive'}${slotsFull ? ', with every slot of a pool busy' : ''}: too few workers for the load, or some of them stopped`;
    },
    actions: () => [
      {
        action_type: 'scale',
        target_service: 'workers',
        description:
          'Check that every worker is running, then add worker replicas (or slots) until they take tasks as fast as they arrive',
        confidence: slotsFull ? 0.65 : 0.5,
        risk_level: 'low',
        parameters: { direction: 'up' },
      },
    ],
  };
}

/** Causes on the worker side: absent, too few or full workers, and failing workflow code. */
export const WORKER_CAUSES = {
  /** Tasks wait with nobody taking them: a dispatch gate's first suspicion. */
  workers_absent: {
    service: 'workers',
    runbook: 'poller-misconfiguration.md',
    query: 'no poller task queue names workers',
    detect: (c, g) => g.kind === 'critical' || c.e.noPollers || !c.e.workerMetrics,
    text: (c) => {
      const np = c.v(FIELD.noPollerTasks);
      const ratio = c.v(FIELD.dispatchRatio);
      const taken =
        ratio !== null && c.e.dispatchLagging
          ? `, only ${pct(ratio)} of the tasks reaching matching are handed to a worker`
          : '';
      return `tasks wait in matching with no worker taking them${taken}${np !== null && np > 0 ? ` (${num(np)} tasks/s arrive on queues with no poller)` : ''}: workers are stopped or poll other task queues`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description:
          'Check that workers are running and poll the task queues the work is sent to (temporal task-queue describe --task-queue NAME)',
        confidence: 0.7,
        risk_level: 'low',
      },
    ],
  },
  dispatch_slots_full: tooFewWorkers(true, 'worker_limited'),
  dispatch_short: tooFewWorkers(false, 'matching_waiting'),
  workflow_failures: {
    service: 'workers',
    runbook: '',
    query: 'workflow failures timeouts',
    text: (c) => {
      const rate = c.v(FIELD.completionRate);
      return `workflows fail or time out (only ${rate === null ? 'a few' : pct(rate)} of finishing workflows succeed): workflow or activity code fails, or its timeouts are too tight`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'workers',
        description:
          'List the failing workflow types and their last failure (temporal workflow list --query \'ExecutionStatus="Failed"\')',
        confidence: 0.55,
        risk_level: 'low',
      },
    ],
  },
  /** Off the gates: the bottleneck is on the worker side while the server keeps up. */
  worker_limited: {
    service: 'workers',
    runbook: 'worker-slot-exhaustion.md',
    query: 'worker slots exhausted add workers',
    text: (c) =>
      fullSlotPools(c).length > 0
        ? `workers run at their concurrency limit, so tasks wait in matching while the server keeps up`
        : `workers are slow to pick up workflow tasks (CPU-bound workers or too few pollers) while the server keeps up`,
    actions: (c) => {
      const full = fullSlotPools(c);
      return [
        {
          action_type: 'scale',
          target_service: 'workers',
          description: `Add worker replicas (or raise ${full.includes('activity') && !full.includes('workflow') ? 'maxConcurrentActivityTaskExecutions' : 'maxConcurrentWorkflowTaskExecutions / maxConcurrentActivityTaskExecutions'}); never scale workers down while a slot pool is at zero`,
          confidence: full.length > 0 ? 0.7 : 0.55,
          risk_level: 'low',
          parameters: { direction: 'up', pools: full.length > 0 ? full : ['workflow'] },
        },
      ];
    },
  },
  /** Off the gates: tasks wait in matching and the workers' side cannot say why. */
  matching_waiting: {
    service: 'workers',
    runbook: 'worker-slot-exhaustion.md',
    query: 'tasks wait for workers matching backlog',
    text: (c) =>
      c.e.workerMetrics
        ? 'workers take tasks more slowly than they arrive'
        : 'workers take tasks more slowly than they arrive, or are not running (no SDK metrics to tell which)',
    actions: () => [
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
  sticky: {
    service: 'workers',
    runbook: 'sticky-cache.md',
    query: 'sticky cache size evictions replay',
    text: () =>
      'the sticky cache is too small for the open workflows, or work is unevenly spread across workers',
    actions: () => [
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
} satisfies Record<string, CauseEntry>;
