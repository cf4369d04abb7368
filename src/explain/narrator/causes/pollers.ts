import { FIELD } from '../../../model/signal-fields.js';

import type { Context } from '../context.js';
import { num, pct } from '../text.js';

import type { CauseEntry } from './cause.js';

/** The share of polls that time out, in words. */
function timeoutShare(c: Context): string {
  const rate = c.v(FIELD.pollTimeoutRate);
  return rate === null ? 'most' : pct(rate);
}

const pollerCount = (c: Context): number =>
  (c.v(FIELD.workflowPollers) ?? 0) + (c.v(FIELD.activityPollers) ?? 0);

const slotCount = (c: Context): number =>
  [
    FIELD.workflowSlotsAvailable,
    FIELD.workflowSlotsUsed,
    FIELD.activitySlotsAvailable,
    FIELD.activitySlotsUsed,
  ]
    .map((f) => c.v(f) ?? 0)
    .reduce((a, b) => a + b, 0);

/** Why polls time out: misrouted work first, then a poller configuration, else idle capacity. */
export const POLLER_CAUSES = {
  wrong_queue: {
    service: 'workers',
    runbook: 'poller-misconfiguration.md',
    query: 'task queue names pollers no poller',
    detect: (c) => c.e.noPollers || c.e.matchingWaiting,
    text: (c) => {
      const np = c.v(FIELD.noPollerTasks);
      return `workers poll other task queues than the work is sent to: ${timeoutShare(c)} of polls time out empty while ${np !== null && np > 0 ? `${num(np)} tasks/s arrive on queues with no poller` : 'tasks wait in matching'}`;
    },
    actions: () => [
      {
        action_type: 'configure',
        target_service: 'workers',
        description:
          'Align task queue names: compare the queues workflows and activities are started on with the ones workers poll (temporal task-queue describe --task-queue NAME), then redeploy the workers',
        confidence: 0.75,
        risk_level: 'medium',
      },
    ],
  },
  too_many_pollers: {
    service: 'workers',
    runbook: 'poller-misconfiguration.md',
    query: 'pollers and slots',
    detect: (c) => slotCount(c) > 0 && pollerCount(c) > slotCount(c),
    text: (c) =>
      `workers run more pollers (${num(pollerCount(c))}) than task slots (${num(slotCount(c))}), so pollers take tasks no slot can run`,
    actions: () => [
      {
        action_type: 'configure',
        target_service: 'workers',
        description:
          'Lower the poller counts (maxConcurrentWorkflowTaskPolls / maxConcurrentActivityTaskPolls) well below the slot counts',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
  idle_pollers: {
    service: 'workers',
    runbook: 'poller-misconfiguration.md',
    query: 'too many pollers polls time out',
    text: (c) => `more pollers wait than there is work: ${timeoutShare(c)} of polls time out empty`,
    actions: () => [
      {
        action_type: 'configure',
        target_service: 'workers',
        description:
          'Lower pollers per worker or run fewer workers; idle polls waste matching capacity but block nothing',
        confidence: 0.4,
        risk_level: 'low',
      },
    ],
  },
} satisfies Record<string, CauseEntry>;
