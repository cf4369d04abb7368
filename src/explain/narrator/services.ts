import type { ServiceHealth } from '../../health/service-health.js';
import { FIELD } from '../../model/signal-fields.js';
import type { ServiceStory } from '../explanation.js';

import { matchingOldest, type Context } from './context.js';
import { capitalize, listOf, num, pct } from './text.js';

/** The services as actors: one clause each, judged when the state is not happy. */

/** How a service is named in a sentence. */
export const DISPLAY_NAME: Readonly<Record<string, string>> = {
  history: 'history',
  matching: 'matching',
  frontend: 'the frontend',
  persistence: 'persistence',
  workers: 'workers',
};

/** Judged clause for one service (the services view: may disagree with nothing but the gates). */
export function clauseOf(c: Context, s: ServiceHealth): string {
  const { v, t, evaluation } = c;
  const name = s.name;
  if (s.forward_progress === 'unknown') {
    if (name === 'workers') return 'workers export no SDK metrics, so their side is not visible';
    return `${DISPLAY_NAME[name] ?? name} cannot be observed until the data returns`;
  }
  switch (name) {
    case 'history': {
      const backlog = v(FIELD.historyBacklog) ?? 0;
      const processing = v(FIELD.processing) ?? 0;
      if (evaluation.is_idle) return 'history is idle with nothing waiting';
      if (s.forward_progress === 'blocked') {
        return backlog > t.critical.history_backlog_age_max_sec
          ? `history is far behind, its oldest task waiting ${num(backlog)} s (critical above ${num(t.critical.history_backlog_age_max_sec)} s)`
          : `history processes only ${num(processing)} tasks/s (critical below ${num(t.critical.history_processing_rate_min_per_sec)})`;
      }
      if (s.forward_progress === 'degraded') {
        return `history is falling behind, its oldest task waiting ${num(backlog)} s (stressed above ${num(t.stressed.history_backlog_age_stress_sec)} s)`;
      }
      return `history keeps up, processing ${num(processing)} tasks/s with its oldest task ${num(backlog)} s old`;
    }
    case 'matching': {
      const oldest = matchingOldest(c);
      const np = v(FIELD.noPollerTasks);
      const extra = np !== null && np > 0.1 ? `, ${num(np)} tasks/s on queues with no poller` : '';
      const ratio = v(FIELD.dispatchRatio);
      if (c.e.dispatchLagging && ratio !== null) {
        const handed = `hands out only ${pct(ratio)} of the tasks it receives (${num(v(FIELD.tasksAdded) ?? 0)}/s arrive)`;
        return oldest >= 1
          ? `matching holds tasks that wait ${num(oldest)} s for a worker and ${handed}${extra}`
          : `matching ${handed}${extra}`;
      }
      if (s.forward_progress !== 'ok') {
        return `matching holds tasks that wait ${num(oldest)} s for a worker${extra}`;
      }
      return oldest < 1
        ? `matching hands tasks to workers without delay${extra}`
        : `matching hands tasks to workers within ${num(oldest)} s${extra}`;
    }
    case 'frontend': {
      const p99 = v(FIELD.frontendP99);
      const errors = v(FIELD.frontendErrors) ?? 0;
      if (s.forward_progress === 'blocked')
        return `the frontend returns ${num(errors)} errors/s to clients`;
      if (s.forward_progress === 'degraded') {
        return `the frontend answers slowly (p99 ${num(p99 ?? 0)} ms, stressed above ${num(t.stressed.frontend_latency_p99_max_ms)} ms)`;
      }
      return p99 === null
        ? 'the frontend serves clients without errors'
        : `the frontend serves clients in ${num(p99)} ms at p99`;
    }
    case 'persistence': {
      const p99 = v(FIELD.persistenceP99);
      const errors = v(FIELD.persistenceErrors) ?? 0;
      if (s.forward_progress === 'blocked') {
        return `persistence fails ${num(errors)} requests/s (critical above ${num(t.critical.persistence_error_rate_max_per_sec)})`;
      }
      if (s.forward_progress === 'degraded') {
        return `persistence answers slowly (p99 ${num(p99 ?? 0)} ms, stressed above ${num(t.stressed.persistence_latency_p99_max_ms)} ms)`;
      }
      const errs = errors > 0 ? ` with ${num(errors)} errors/s` : ' without errors';
      return p99 === null
        ? `persistence answers${errs}`
        : `persistence answers in ${num(p99)} ms at p99${errs}`;
    }
    case 'workers':
      return workerClause(c);
    default:
      return `${String(name)} is ${s.status}`;
  }
}

export function workerClause(c: Context): string {
  const { v } = c;
  const wf = v(FIELD.workflowSlotsAvailable);
  const act = v(FIELD.activitySlotsAvailable);
  const ratio = v(FIELD.dispatchRatio);
  if (c.e.dispatchLagging && ratio !== null) {
    const noSdk = wf === null && act === null ? ' (they export no SDK metrics)' : '';
    return ratio < c.t.critical.matching_dispatch_ratio_min
      ? `workers take almost none of the tasks that arrive (${pct(ratio)})${noSdk}`
      : `workers take only ${pct(ratio)} of the tasks that arrive${noSdk}`;
  }
  if (wf === null && act === null)
    return 'workers export no SDK metrics, so their side is not visible';
  const full: string[] = [];
  if (wf === 0) full.push('workflow');
  if (act === 0) full.push('activity');
  const s2s = v(FIELD.workflowScheduleToStartP95);
  const slow = s2s !== null && s2s > c.thresholds.rules.worker_wft_schedule_to_start_max_ms;
  if (full.length > 0) {
    return `workers have no free ${listOf(full)} slots${slow ? ` and workflow tasks wait ${num(s2s)} ms to start` : ''}`;
  }
  if (slow) return `workers take ${num(s2s)} ms to start workflow tasks`;
  const used = (v(FIELD.workflowSlotsUsed) ?? 0) + (v(FIELD.activitySlotsUsed) ?? 0);
  if (used === 0) return 'workers are connected and idle, with free slots';
  return `workers have free slots (${num(wf ?? 0)} workflow, ${num(act ?? 0)} activity)${s2s === null ? '' : ` and start workflow tasks within ${num(s2s)} ms`}`;
}

/** Neutral clause for a server service in a happy state: what it does, no judgement. */
export function happyClause(c: Context, s: ServiceHealth): string {
  const { v } = c;
  switch (s.name) {
    case 'history': {
      if (c.evaluation.is_system_busy) {
        return `history is busy with retention, processing ${num(v(FIELD.processing) ?? 0)} tasks/s`;
      }
      const b = v(FIELD.historyBacklog);
      return `history processes ${num(v(FIELD.processing) ?? 0)} tasks/s${b === null ? '' : ` with its oldest task ${num(b)} s old`}`;
    }
    case 'persistence': {
      const p99 = v(FIELD.persistenceP99);
      return p99 === null ? 'persistence answers' : `persistence answers in ${num(p99)} ms at p99`;
    }
    case 'matching': {
      const oldest = matchingOldest(c);
      if (oldest < 1) return 'matching hands tasks to workers without delay';
      return c.e.workerMetrics && (c.e.slotsExhausted || s.forward_progress !== 'ok')
        ? `matching holds tasks ${num(oldest)} s until a worker is free`
        : `matching hands tasks to workers within ${num(oldest)} s`;
    }
    case 'frontend': {
      const p99 = v(FIELD.frontendP99);
      return p99 === null
        ? 'the frontend serves clients'
        : `the frontend serves clients in ${num(p99)} ms at p99`;
    }
    case 'workers':
      return workerClause(c);
    default:
      return String(s.name);
  }
}

export function serviceStories(c: Context): ServiceStory[] {
  return c.services.map((s) => ({
    name: s.name,
    status: s.status,
    story: `${capitalize(clauseOf(c, s))}.`,
  }));
}
