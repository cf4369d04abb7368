import { FIELD } from '../../model/signal-fields.js';

import type { Context } from './context.js';
import { signalLabel } from './fields.js';
import type { Finding } from './finding.js';
import { gateFactorText, ratioOf } from './gates.js';
import { num } from './text.js';
import type { UnknownReason } from './unknown.js';

/** What to watch next: at most three things, the most telling first. */
export function watchNext(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
): string[] {
  const { v, evaluation } = c;
  const items: string[] = [];
  const add = (s: string): void => {
    if (!items.includes(s)) items.push(s);
  };
  const worsening = c.trends.filter((x) => x.trend === 'worsening');
  if (c.state === 'unknown') {
    for (const u of unknown) add(u.watch);
    add('the first evaluation after the data returns: it starts from a zero critical count');
    add(
      'whether the outage repeats: recurring gaps point at Prometheus capacity or scrape timeouts',
    );
  } else if (evaluation.is_idle) {
    add(
      `demand returning: state transitions above ${num(c.thresholds.rules.idle.throughput_max)}/s end idle and the gates apply again`,
    );
    add('tasks waiting in matching with no worker: the first sign of stopped workers');
    add('retention deletes: above 1/s they end idle without any workflow demand');
  } else {
    for (const f of findings.slice(0, 2)) {
      const w = watchFor(c, f);
      if (w !== null) add(w);
    }
    for (const x of worsening) {
      add(`${signalLabel(x.signal)}: worsening over the last ${c.window} observations`);
    }
    if (c.state === 'stressed' && c.fired.some((g) => g.kind === 'critical')) {
      add(
        `the next evaluations: ${c.thresholds.rules.consecutive_critical} critical evaluations in a row make the state critical (now ${evaluation.consecutive_critical})`,
      );
    }
    if (c.state === 'critical') {
      add(
        'recovery: the state leaves critical through stressed, and stays stressed while it is still near the critical thresholds',
      );
    }
    const near = evaluation.gates
      .filter(
        (g) =>
          g.kind === 'stressed' && g.fired === false && g.note === undefined && g.observed !== null,
      )
      .map((g) => ({ g, r: ratioOf(g) }))
      .filter(({ r }) => r >= 0.3 && r < 1)
      .sort((a, b) => b.r - a.r || a.g.id.localeCompare(b.g.id));
    for (const { g } of near) {
      add(`${gateFactorText(g)}, the closest limit`);
    }
    add(
      `throughput: ${num(v(FIELD.throughput) ?? 0)} state transitions/s now; a sustained drop under load is the first sign of lost progress`,
    );
    add('history backlog age: the earliest warning of a cascading failure');
  }
  return items.slice(0, 3);
}

/** What tells that a finding's cause is going away. */
function watchFor(c: Context, f: Finding): string | null {
  const { v, t } = c;
  switch (f.cause?.key ?? f.key) {
    case 'pool':
      return `connection pool use (${num(v(FIELD.poolUtilization) ?? 0)} % now) and persistence p99 falling back under ${num(t.stressed.persistence_latency_p99_max_ms)} ms`;
    case 'database':
    case 'throttled':
    case 'occ':
      return c.e.persistenceFailing
        ? `persistence errors (${num(v(FIELD.persistenceErrors) ?? 0)}/s now) back under ${num(t.critical.persistence_error_rate_max_per_sec)}/s${f.cause?.key === 'occ' ? ', with the conflict rate' : ''}`
        : `persistence latency p99 (${num(v(FIELD.persistenceP99) ?? 0)} ms now) back under ${num(t.stressed.persistence_latency_p99_max_ms)} ms`;
    case 'history_capacity':
    case 'history_stalled':
    case 'history_slow': {
      const stress = t.stressed.history_backlog_age_stress_sec;
      const healthy = t.healthy.history_backlog_age_healthy_sec;
      return `history backlog age (${num(v(FIELD.historyBacklog) ?? 0)} s now): ${stress === healthy ? `healthy again under ${num(healthy)} s` : `out of stress under ${num(stress)} s, healthy under ${num(healthy)} s`}`;
    }
    case 'shards':
      return 'shard churn back near zero and no new history restarts';
    case 'retention':
      return `the deletion rate (${num(v(FIELD.deletion) ?? 0)}/s now) falling back to its background level`;
    case 'worker_limited':
      return `free worker slots back above zero and workflow schedule-to-start under ${num(c.thresholds.rules.worker_wft_schedule_to_start_max_ms)} ms`;
    case 'wrong_queue':
    case 'workers_absent':
      return 'tasks on queues with no poller (no_poller_tasks_per_sec) back to zero and the matching backlog age back to seconds';
    case 'idle_pollers':
    case 'too_many_pollers':
      return 'the poll timeout rate under demand after the poller change';
    case 'workflow_failures':
      return 'the completion rate: failures by workflow type after the fix';
    case 'frontend':
      return `frontend latency p99 (${num(v(FIELD.frontendP99) ?? 0)} ms now) back under ${num(t.stressed.frontend_latency_p99_max_ms)} ms`;
    case 'matching_waiting':
      return 'the matching backlog age: it falls once workers take tasks again';
    default:
      return null;
  }
}
