import { workerScalingWarnings } from '../../health/bottleneck.js';
import { FIELD } from '../../model/signal-fields.js';

import { tell } from './causes/table.js';
import { fullSlotPools, matchingOldest, type Context } from './context.js';
import { shortField } from './fields.js';
import { severityFor, type Finding } from './finding.js';
import { capitalize, listOf, num, pct } from './text.js';

/**
 * Problems off the gates: worker capacity, pollers, frontend errors, the sticky cache, retention.
 * Never above the state's severity; a cause a gate already explains (`covered`) is not repeated.
 */
export function offGateFindings(c: Context, covered: ReadonlySet<string>): Finding[] {
  const { v, e, state, bottleneck } = c;
  const out: Finding[] = [];
  const workerLimited =
    bottleneck.classification === 'worker_limited' || bottleneck.classification === 'mixed';
  if (workerLimited && !covered.has('worker_limited')) {
    const full = fullSlotPools(c);
    const s2s = v(FIELD.workflowScheduleToStartP95);
    const slow = s2s !== null && s2s > c.thresholds.rules.worker_wft_schedule_to_start_max_ms;
    const parts: string[] = [];
    if (full.length > 0) parts.push(`every ${listOf(full)} task slot is busy (0 free)`);
    if (slow) parts.push(`workflow tasks wait ${num(s2s)} ms to start`);
    out.push({
      key: 'worker_limited',
      severity: severityFor(state, 'warning'),
      service: 'workers',
      title:
        bottleneck.classification === 'mixed'
          ? 'Workers and the server are both at their limit'
          : 'Workers set the pace',
      description: `${capitalize(listOf(parts))}; the bottleneck is ${bottleneck.classification.replace('_', '-')}${bottleneck.classification === 'mixed' ? ' (the server is under pressure too)' : ' (the server is fine)'}.`,
      cause: tell('worker_limited', c),
      metrics: [
        FIELD.workflowSlotsAvailable,
        FIELD.activitySlotsAvailable,
        FIELD.workflowScheduleToStartP95,
      ],
      rank: 5,
    });
  }
  if (e.noPollers && !covered.has('wrong_queue') && !covered.has('workers_absent')) {
    out.push({
      key: 'no_pollers',
      severity: severityFor(state, 'warning'),
      service: 'workers',
      title: 'Tasks arrive on queues nobody polls',
      description: `${num(v(FIELD.noPollerTasks)!)} tasks/s are added to task queues with no recent poller (${shortField(FIELD.noPollerTasks)}).`,
      // Tasks on queues nobody polls are what the wrong-queue cause detects first.
      cause: tell('wrong_queue', c),
      metrics: [FIELD.noPollerTasks, FIELD.matchingWorkflowBacklog],
      rank: 4.5,
    });
  } else if (
    e.matchingWaiting &&
    !workerLimited &&
    !covered.has('wrong_queue') &&
    !covered.has('workers_absent')
  ) {
    out.push({
      key: 'matching_waiting',
      severity: severityFor(state, 'warning'),
      service: 'matching',
      title: 'Tasks wait in matching for workers',
      description: `The oldest task in matching has waited ${num(matchingOldest(c))} s for a worker.`,
      cause: tell('matching_waiting', c),
      metrics: [FIELD.matchingWorkflowBacklog, FIELD.matchingActivityBacklog],
      rank: 4,
    });
  }
  const frontendErrors = v(FIELD.frontendErrors);
  if (
    frontendErrors !== null &&
    frontendErrors > c.thresholds.rules.frontend_error_rate_critical_per_sec
  ) {
    out.push({
      key: 'frontend_errors',
      severity: severityFor(state, 'warning'),
      service: 'frontend',
      title: 'The frontend returns errors to clients',
      description: `The frontend returns ${num(frontendErrors)} unexpected errors/s (${shortField(FIELD.frontendErrors)}).`,
      cause: tell('frontend_errors', c),
      metrics: [FIELD.frontendErrors],
      rank: 3.5,
    });
  }
  const hit = v(FIELD.stickyCacheHitRate);
  if (hit !== null && hit < 0.5) {
    out.push({
      key: 'sticky',
      severity: 'info',
      service: 'workers',
      title: 'Workers replay workflows often',
      description: `Only ${pct(hit)} of workflow tasks find their workflow in the sticky cache.`,
      cause: tell('sticky', c),
      metrics: [FIELD.stickyCacheHitRate],
      rank: 2,
    });
  }
  if (e.retention && !covered.has('retention')) {
    const cause = tell('retention', c);
    out.push({
      key: 'retention',
      severity: 'info',
      service: 'history',
      title: c.evaluation.is_system_busy ? 'Busy with retention' : 'Retention work in progress',
      description: `${capitalize(cause.text)}.${c.evaluation.is_system_busy ? ' The throughput, completion and processing gates are suppressed while the system is busy.' : ''}`,
      cause,
      metrics: [FIELD.deletion, FIELD.cleanup],
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
      metrics: [FIELD.workflowPollers, FIELD.activityPollers],
      rank: 1,
    });
  }
  return out;
}
