import type { AssessmentDraft, ExplainInput } from '../../src/explain/explanation.js';
import type { DraftIssue, RecommendedAction } from '../../src/model/records.js';
import { classifyBottleneck } from '../../src/health/bottleneck.js';
import { serviceHealth } from '../../src/health/service-health.js';
import { DEFAULT_THRESHOLDS } from '../../src/health/thresholds.js';
import { overallTrend, trends } from '../../src/health/trends.js';
import type { Gate } from '../../src/health/types.js';

/**
 * The minimal explainer, kept for the tests: a deterministic account of the gates that fired, with
 * no LLM and no `explanation` block. The LLM tests start from it as the smallest draft there is;
 * the narrator (`src/explain/narrator/`) is what Headway runs.
 */

interface GateText {
  readonly title: string;
  readonly service: string;
  readonly cause: string;
  readonly action: string;
  readonly action_type: string;
}

/** What each gate means for a person on call. */
const GATES: Readonly<Record<string, GateText>> = {
  'critical.throughput': {
    title: 'State transitions have collapsed',
    service: 'history',
    cause:
      'History is not advancing workflows: persistence failing, shards not owned, or no capacity',
    action:
      'Check persistence health and history shard ownership; scale history if it is saturated',
    action_type: 'investigate',
  },
  'critical.completion_rate': {
    title: 'Most workflows are failing',
    service: 'workers',
    cause: 'Workflow code or its activities fail, or timeouts are too tight',
    action: 'Look at the failing workflow types and their last failures',
    action_type: 'investigate',
  },
  'critical.history_processing': {
    title: 'History task processing has stalled',
    service: 'history',
    cause: 'History cannot process its task queues (persistence or shard problems)',
    action: 'Check persistence latency and errors, then history shard ownership',
    action_type: 'investigate',
  },
  'critical.history_backlog': {
    title: 'History backlog is far behind',
    service: 'history',
    cause: 'Tasks wait longer than history can drain them',
    action: 'Scale history or reduce load; check persistence latency',
    action_type: 'scale',
  },
  'critical.persistence_errors': {
    title: 'Persistence is failing',
    service: 'persistence',
    cause: 'The database rejects or times out requests',
    action: 'Check the database: availability, connections, throttling',
    action_type: 'investigate',
  },
  'stressed.transition_latency': {
    title: 'State transitions are slow',
    service: 'history',
    cause: 'History or persistence latency is rising',
    action: 'Watch persistence latency and history backlog',
    action_type: 'monitor',
  },
  'stressed.history_backlog': {
    title: 'History backlog is growing',
    service: 'history',
    cause: 'History is behind its task queues',
    action: 'Scale history or reduce load if the backlog keeps growing',
    action_type: 'scale',
  },
  'stressed.frontend_latency': {
    title: 'Frontend requests are slow',
    service: 'frontend',
    cause: 'Frontend or the services behind it are slow',
    action: 'Check frontend request latency by operation',
    action_type: 'investigate',
  },
  'stressed.persistence_latency': {
    title: 'Persistence latency is high',
    service: 'persistence',
    cause: 'The database is slow to answer',
    action: 'Check database load, connection pool and slow queries',
    action_type: 'investigate',
  },
  'stressed.shard_churn': {
    title: 'History shards are moving',
    service: 'history',
    cause: 'History hosts are joining, leaving or losing shard ownership',
    action: 'Check history membership and restarts',
    action_type: 'investigate',
  },
  'critical.matching_dispatch': {
    title: 'Nobody takes the work',
    service: 'workers',
    cause:
      'Tasks reach matching but almost none are handed to a worker: workers are stopped, crashed or poll other task queues',
    action: 'Check that workers are running and poll the task queues the work is sent to',
    action_type: 'investigate',
  },
  'stressed.matching_dispatch': {
    title: 'Workers take less work than arrives',
    service: 'workers',
    cause: 'Tasks reach matching faster than workers take them',
    action: 'Check worker slots and schedule-to-start; add workers if their slots are full',
    action_type: 'scale',
  },
  'stressed.server_restarts': {
    title: 'The server restarted',
    service: 'history',
    cause: 'A Temporal server process restarted (crash, out-of-memory kill or deploy)',
    action: 'Find why it exited: its last logs and the exit reason; watch that it stays up',
    action_type: 'investigate',
  },
  'stressed.poller_timeouts': {
    title: 'Pollers mostly time out',
    service: 'workers',
    cause: 'More pollers than work, or pollers on the wrong task queue',
    action: 'Check worker task queues and poller counts',
    action_type: 'tune',
  },
};

const show = (x: number | null): string =>
  x === null ? 'absent' : Number.isInteger(x) ? String(x) : x.toFixed(2);

function describeGate(g: Gate): string {
  return `${g.signal} is ${show(g.observed)} (${g.condition}, threshold ${show(g.threshold)})`;
}

export function explainMinimal(input: ExplainInput): AssessmentDraft {
  const { evaluation, signals } = input;
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const state = evaluation.health_state;
  const services = serviceHealth(signals, evaluation, thresholds);
  const bottleneck = classifyBottleneck(signals, evaluation, thresholds);
  const signalTrends = trends(input.window);
  const trend = overallTrend(signalTrends);
  const fired = evaluation.gates.filter(
    (g) => g.fired === true && g.kind !== 'healthy' && evaluation.fired_gates.includes(g.id),
  );

  const issues: DraftIssue[] = [];
  const actions: RecommendedAction[] = [];
  if (state === 'unknown') {
    issues.push({
      severity: 'warning',
      title: 'Health cannot be judged',
      description: `The copilot cannot tell whether the cluster makes progress: ${evaluation.reasons.join('; ') || 'signals are missing'}.`,
      likely_cause: 'Prometheus, the scrape target or the metrics it needs are unavailable',
      suggested_actions: ['Check that Prometheus is up and scrapes the Temporal server'],
      related_metrics: [],
    });
    actions.push({
      action_type: 'investigate',
      target_service: 'prometheus',
      description: 'Check that Prometheus is up and scrapes the Temporal server',
      confidence: 0.6,
      parameters: null,
      risk_level: 'low',
    });
  } else if (state !== 'happy') {
    for (const g of fired) {
      const text = GATES[g.id];
      issues.push({
        severity: g.kind === 'critical' ? 'critical' : 'warning',
        title: text?.title ?? g.id,
        description: describeGate(g),
        likely_cause: text?.cause ?? null,
        suggested_actions: text === undefined ? [] : [text.action],
        related_metrics: [g.signal],
      });
      if (text !== undefined && !actions.some((a) => a.description === text.action)) {
        actions.push({
          action_type: text.action_type,
          target_service: text.service,
          description: text.action,
          confidence: g.kind === 'critical' ? 0.6 : 0.4,
          parameters: null,
          risk_level: text.action_type === 'scale' ? 'medium' : 'low',
        });
      }
    }
  }
  for (const p of input.log_patterns.filter((l) => l.count > 0).slice(0, 3)) {
    issues.push({
      severity: 'info',
      title: `Log pattern: ${p.pattern}`,
      description: `${String(p.count)} log lines from ${p.service} match "${p.pattern}".`,
      likely_cause: null,
      suggested_actions: [],
      related_metrics: [],
    });
  }

  const band = `${evaluation.scale_band} band`;
  const parts: string[] = [];
  if (state === 'unknown') {
    parts.push(`Health is unknown: ${evaluation.reasons[0] ?? 'signals are missing'}.`);
  } else if (state === 'happy') {
    parts.push(
      evaluation.is_idle
        ? `Cluster is happy and idle (${band}): no work waiting, no errors.`
        : `Cluster is happy (${band}): workflows make progress and no gate fired.`,
    );
  } else {
    parts.push(
      `Cluster is ${state} (${band}): ${fired.map((g) => GATES[g.id]?.title.toLowerCase() ?? g.id).join('; ') || evaluation.reasons.join('; ')}.`,
    );
  }
  const slow = services.filter((s) => s.status !== 'happy' && s.status !== 'unknown');
  if (slow.length > 0) {
    parts.push(
      `Services under pressure: ${slow.map((s) => `${s.name} (${s.status})`).join(', ')}.`,
    );
  }
  if (bottleneck.classification !== 'unknown' && bottleneck.classification !== 'healthy') {
    parts.push(`Bottleneck: ${bottleneck.classification.replace('_', '-')}.`);
  }
  if (trend !== 'unknown' && state !== 'unknown') parts.push(`Trend: ${trend}.`);

  return {
    health_state: state,
    summary: parts.join(' '),
    services: { services, bottleneck, trends: signalTrends },
    issues,
    recommended_actions: actions,
  };
}
