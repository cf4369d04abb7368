import {
  DEFAULT_THRESHOLDS,
  type ResolvedThresholds,
  type Rules,
  type Thresholds,
} from './thresholds.js';
import type {
  Evaluation,
  Gate,
  GateKind,
  HealthState,
  PreviousEvaluation,
  ScaleBand,
  TargetState,
  Signals,
  SignalValue,
} from './types.js';
import { FIELD, type SignalField } from '../model/signal-fields.js';

import { instancesDown, servicesDown } from './parts.js';

/**
 * Signals a critical gate needs. If any is absent the state is unknown: without them a stopped
 * cluster and a healthy idle one look the same.
 */
export const DECIDING_FIELDS: readonly SignalField[] = [
  FIELD.throughput,
  FIELD.success,
  FIELD.failed,
  FIELD.historyBacklog,
  FIELD.processing,
  FIELD.persistenceErrors,
];

const INITIAL: PreviousEvaluation = {
  health_state: 'happy',
  consecutive_critical: 0,
  scale_band: null,
};

const PATHS = new Map<string, readonly string[]>();

/** The group objects of a collection: a `Signals`, or an API body that carries some of them. */
export type SignalGroups = Partial<
  Pick<Signals, 'primary_signals' | 'amplifiers' | 'worker_signals'>
>;

/** Reads one signal of a collection. */
export type ReadSignal = (field: SignalField) => SignalValue;

/** Reads a wire field as a finite number, or null. */
export function readSignal(signals: SignalGroups, field: SignalField): SignalValue {
  // Split once per field name: this runs dozens of times per evaluation.
  let path = PATHS.get(field);
  if (path === undefined) {
    path = field.split('.');
    PATHS.set(field, path);
  }
  let node: unknown = signals;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

/**
 * The health state machine. Pure: the same signals, previous evaluation and thresholds always
 * give the same evaluation. Rules decide; nothing here calls out, logs or reads a clock.
 */
export function evaluate(
  signals: Signals,
  previous: PreviousEvaluation | undefined,
  thresholds: ResolvedThresholds = DEFAULT_THRESHOLDS,
): Evaluation {
  const prev = previous ?? INITIAL;
  const { rules } = thresholds;
  const read = new Map<SignalField, SignalValue>();
  const v: ReadSignal = (field) => {
    let x = read.get(field);
    if (x === undefined) {
      x = readSignal(signals, field);
      read.set(field, x);
    }
    return x;
  };
  const reasons: string[] = [];

  const waiting = workIsWaiting(
    v,
    prev.scale_band === null ? undefined : thresholds.profiles[prev.scale_band],
    rules,
  );
  const { band, held } = classifyScaleBand(v(FIELD.throughput), prev.scale_band, rules, waiting);
  if (held) {
    reasons.push(
      `scale band held at ${band}: throughput fell while work is waiting, so it is judged against the load it had`,
    );
  }
  const t = thresholds.profiles[band];
  const busy = isSystemBusy(v, rules);
  const gates = [
    ...criticalGates(v, t, busy, rules),
    ...partGates(v, signals.quality?.targets),
    ...stressedGates(v, t, rules),
    ...healthyGates(v, t, rules),
  ];
  const fired = gates.filter((g) => g.kind !== 'healthy' && g.fired === true).map((g) => g.id);
  const result = (state: HealthState, count: number, firedGates = fired): Evaluation => ({
    timestamp: signals.timestamp,
    health_state: state,
    scale_band: band,
    consecutive_critical: count,
    gates,
    fired_gates: firedGates,
    is_idle: idle,
    is_system_busy: busy,
    reasons,
  });

  // No data is not good news: missing or stale inputs give unknown, never happy.
  const unknown = unknownReasons(signals, v, rules);
  const idle = unknown.length === 0 && isIdle(v, rules, t);
  if (unknown.length > 0) {
    reasons.push(...unknown);
    return result('unknown', 0);
  }
  if (idle) {
    // The idle rule decides, not the gates: a low throughput with nothing to do is no failure.
    reasons.push('idle: no demand, no errors and no work waiting');
    return result('happy', 0, []);
  }
  if (busy)
    reasons.push(
      'system busy: retention work without workflow demand; throughput gates suppressed',
    );

  const critical = gates.filter((g) => g.kind === 'critical' && g.fired === true);
  if (critical.length > 0) {
    const count = prev.consecutive_critical + 1;
    reasons.push(...critical.map(describe));
    if (count >= rules.consecutive_critical) {
      if (prev.health_state === 'happy' || prev.health_state === 'unknown') {
        reasons.push(
          `stressed first: the state never moves from ${prev.health_state} straight to critical`,
        );
        return result('stressed', count);
      }
      reasons.push(
        `${count} critical evaluations in a row (threshold ${rules.consecutive_critical})`,
      );
      return result('critical', count);
    }
    reasons.push(
      `critical evaluation ${count} of ${rules.consecutive_critical} in a row: stressed until confirmed`,
    );
    return result('stressed', count);
  }

  if (prev.health_state === 'critical' && isNearCritical(v, t, rules)) {
    reasons.push('recovering: still near the critical thresholds, so stressed rather than happy');
    return result('stressed', 0);
  }
  const stressed = gates.filter((g) => g.kind === 'stressed' && g.fired === true);
  if (stressed.length > 0) {
    reasons.push(...stressed.map(describe));
    return result('stressed', 0);
  }
  const healthy = gates.filter((g) => g.kind === 'healthy');
  const failing = healthy.filter((g) => g.fired === false);
  if (failing.length === 0) {
    reasons.push('forward progress healthy: every healthy gate passes');
    return result('happy', 0);
  }
  reasons.push(
    ...failing.map(
      (g) => `between thresholds: ${g.signal} ${fmt(g.observed)} (healthy ${g.condition})`,
    ),
  );
  return result('stressed', 0);
}

function unknownReasons(signals: Signals, v: ReadSignal, rules: Rules): string[] {
  const out: string[] = [];
  const q = signals.quality;
  if (q !== undefined) {
    // Some targets up and others down is a cluster missing a part (a gate says which), not blindness.
    const partlyUp = q.targets?.some((x) => x.up) ?? false;
    if (!q.prometheus_ok) out.push('unknown: Prometheus did not answer');
    else if (q.target_up === false && !partlyUp)
      out.push('unknown: the monitored server is not being scraped (up == 0)');
    else if (q.target_up === null)
      out.push('unknown: Prometheus has no scrape target for the monitored server');
    if (q.scrape_age_s !== null && q.scrape_age_s > rules.max_scrape_age_s) {
      out.push(
        `unknown: data is stale (last scrape ${Math.round(q.scrape_age_s)} s ago, limit ${rules.max_scrape_age_s} s)`,
      );
    }
  }
  const missing = DECIDING_FIELDS.filter(
    (f) => v(f) === null || (q?.unavailable.includes(f) ?? false),
  );
  if (missing.length > 0 && out.length === 0) {
    out.push(`unknown: signals a critical gate needs are absent: ${missing.join(', ')}`);
  }
  return out;
}

function workIsWaiting(v: ReadSignal, t: Thresholds | undefined, rules: Rules): boolean {
  // More waiting than an idle cluster has, not more than a healthy one at the old load: a
  // collapse leaves a backlog well under the old band's healthy limit while nothing completes.
  const limit = rules.idle.backlog_age_max_sec;
  return (
    [FIELD.historyBacklog, FIELD.matchingWorkflowBacklog, FIELD.matchingActivityBacklog].some(
      (f) => (v(f) ?? 0) > limit,
    ) ||
    (t !== undefined && dispatchStalled(v, t, rules))
  );
}

/**
 * Tasks arrive in matching faster than workers take them. Read from two counters, because the
 * server's backlog gauges are refreshed about once a minute and show no age while nothing is
 * dispatched: a stopped worker fleet is invisible to them.
 */
export function dispatchStalled(v: ReadSignal, t: Thresholds, rules: Rules): boolean {
  const added = v(FIELD.tasksAdded);
  const ratio = v(FIELD.dispatchRatio);
  return (
    added !== null &&
    added >= rules.dispatch_demand_floor_per_sec &&
    ratio !== null &&
    ratio < t.stressed.matching_dispatch_ratio_min
  );
}

/**
 * Scale band from throughput, with hysteresis around each boundary. A move to a lower band is
 * refused while work is waiting: otherwise a throughput collapse would be judged by the lenient
 * thresholds of the low band it collapsed into, and look healthy.
 */
export function classifyScaleBand(
  throughput: SignalValue,
  previous: ScaleBand | null,
  rules: Rules,
  workWaiting = false,
): { band: ScaleBand; held: boolean } {
  const { mid_scale_min: mid, high_throughput_min: high, hysteresis: h } = rules.bands;
  // Rounded so 50 × 1.1 is 55, not 55.00000000000001.
  const up = (b: number): number => Math.round(b * (1 + h) * 1e9) / 1e9;
  const down = (b: number): number => Math.round(b * (1 - h) * 1e9) / 1e9;
  if (throughput === null) return { band: previous ?? 'starter', held: false };
  const st = Math.max(0, throughput);
  if (previous === null) {
    return {
      band: st >= high ? 'high-throughput' : st >= mid ? 'mid-scale' : 'starter',
      held: false,
    };
  }
  const rank: Record<ScaleBand, number> = { starter: 0, 'mid-scale': 1, 'high-throughput': 2 };
  let next: ScaleBand = previous;
  if (st >= up(high)) next = 'high-throughput';
  else if (previous === 'starter' && st >= up(mid)) next = 'mid-scale';
  else if (previous === 'high-throughput' && st < down(high))
    next = st < down(mid) ? 'starter' : 'mid-scale';
  else if (previous === 'mid-scale' && st < down(mid)) next = 'starter';
  if (rank[next] < rank[previous] && workWaiting) return { band: previous, held: true };
  return { band: next, held: false };
}

export function isIdle(v: ReadSignal, rules: Rules, t: Thresholds): boolean {
  const i = rules.idle;
  // A few starts a second on a queue nobody serves keep throughput under the idle level.
  if (dispatchStalled(v, t, rules)) return false;
  const below = (f: SignalField, max: number): boolean => {
    const x = v(f);
    return x !== null && x < max;
  };
  const over = (f: SignalField, max: number): boolean => {
    const x = v(f);
    return x !== null && x > max;
  };
  return (
    below(FIELD.throughput, i.throughput_max) &&
    below(FIELD.processing, i.processing_max) &&
    below(FIELD.frontendErrors, i.error_rate_max) &&
    below(FIELD.persistenceErrors, i.error_rate_max) &&
    below(FIELD.failed, i.failed_max) &&
    below(FIELD.historyBacklog, i.backlog_age_max_sec) &&
    below(FIELD.matchingWorkflowBacklog, i.backlog_age_max_sec) &&
    below(FIELD.matchingActivityBacklog, i.backlog_age_max_sec) &&
    below(FIELD.deletion, i.deletion_max) &&
    below(FIELD.cleanup, i.cleanup_max) &&
    // A resting cluster answers what little it is asked quickly: requests that take longer than the
    // stress limits are stuck behind something (a frozen database), not idle.
    !over(FIELD.transitionLatencyP99, t.stressed.state_transition_latency_p99_max_ms) &&
    !over(FIELD.frontendP99, t.stressed.frontend_latency_p99_max_ms) &&
    !over(FIELD.persistenceP99, t.stressed.persistence_latency_p99_max_ms) &&
    // A cluster with a part down is not resting: its work may be waiting where no metric shows it.
    (v(FIELD.servicesDown) ?? 0) === 0 &&
    (v(FIELD.instancesDown) ?? 0) === 0
  );
}

/**
 * Persistence fails a real share of the work: at least 1 error/s and 5 % of the state transitions.
 * Far under the critical error rate (the reference's 50/s), yet with two connections allowed for
 * six services, 3 errors/s against 8 transitions/s was what starved matching of its task queues.
 */
export function persistenceErring(v: ReadSignal): boolean {
  const errors = v(FIELD.persistenceErrors);
  if (errors === null || errors < 1) return false;
  const st = v(FIELD.throughput);
  return st === null || errors >= 0.05 * st;
}

export function isSystemBusy(v: ReadSignal, rules: Rules): boolean {
  const st = v(FIELD.throughput);
  const b = rules.system_busy;
  return (
    st !== null &&
    st < b.throughput_max &&
    ((v(FIELD.deletion) ?? 0) >= b.deletion_min || (v(FIELD.cleanup) ?? 0) >= b.cleanup_min)
  );
}

function isNearCritical(v: ReadSignal, t: Thresholds, rules: Rules): boolean {
  const n = rules.near_critical;
  const st = v(FIELD.throughput);
  const backlog = v(FIELD.historyBacklog);
  const processing = v(FIELD.processing);
  return (
    (st !== null && st < n.throughput_factor * t.critical.state_transitions_min_per_sec) ||
    (backlog !== null && backlog > n.backlog_factor * t.critical.history_backlog_age_max_sec) ||
    (processing !== null &&
      processing < n.processing_factor * t.critical.history_processing_rate_min_per_sec)
  );
}

type Op = '<' | '>' | '>=' | '<=';
function gate(
  id: string,
  kind: GateKind,
  signal: SignalField,
  observed: SignalValue,
  op: Op,
  threshold: number,
  override?: { fired: boolean | null; note: string },
): Gate {
  const condition = `${op} ${threshold}`;
  if (override !== undefined)
    return { id, kind, signal, observed, threshold, condition, ...override };
  if (observed === null) {
    return {
      id,
      kind,
      signal,
      observed,
      threshold,
      condition,
      fired: null,
      note: 'not evaluated: signal absent',
    };
  }
  const holds =
    op === '<'
      ? observed < threshold
      : op === '>'
        ? observed > threshold
        : op === '>='
          ? observed >= threshold
          : observed <= threshold;
  return { id, kind, signal, observed, threshold, condition, fired: holds };
}

/**
 * The dispatch gates judge only with enough tasks arriving: a handful of tasks per minute makes
 * the ratio of two one-minute rates noise.
 */
function dispatchDemand(v: ReadSignal, rules: Rules): { fired: boolean; note: string } | undefined {
  const added = v(FIELD.tasksAdded);
  return added !== null && added < rules.dispatch_demand_floor_per_sec
    ? {
        fired: false,
        note: `not evaluated: few tasks arrive (${fmt(added)}/s < ${rules.dispatch_demand_floor_per_sec}/s)`,
      }
    : undefined;
}

function criticalGates(v: ReadSignal, t: Thresholds, busy: boolean, rules: Rules): Gate[] {
  const c = t.critical;
  const suppressed = busy
    ? { fired: false, note: 'suppressed: system busy with retention work' }
    : undefined;
  const success = v(FIELD.success);
  const failed = v(FIELD.failed);
  const terminal = success === null || failed === null ? null : success + failed;
  const completion =
    terminal !== null && terminal < c.completion_rate_demand_floor_per_sec
      ? {
          fired: false,
          note: `not enough completions to judge (${fmt(terminal)}/s < ${c.completion_rate_demand_floor_per_sec}/s)`,
        }
      : suppressed;
  return [
    gate(
      'critical.throughput',
      'critical',
      FIELD.throughput,
      v(FIELD.throughput),
      '<',
      c.state_transitions_min_per_sec,
      suppressed,
    ),
    gate(
      'critical.completion_rate',
      'critical',
      FIELD.completionRate,
      v(FIELD.completionRate),
      '<',
      c.workflow_completion_rate_min,
      completion,
    ),
    gate(
      'critical.history_processing',
      'critical',
      FIELD.processing,
      v(FIELD.processing),
      '<',
      c.history_processing_rate_min_per_sec,
      suppressed,
    ),
    gate(
      'critical.history_backlog',
      'critical',
      FIELD.historyBacklog,
      v(FIELD.historyBacklog),
      '>',
      c.history_backlog_age_max_sec,
    ),
    gate(
      'critical.persistence_errors',
      'critical',
      FIELD.persistenceErrors,
      v(FIELD.persistenceErrors),
      '>',
      c.persistence_error_rate_max_per_sec,
    ),
    gate(
      'critical.matching_dispatch',
      'critical',
      FIELD.dispatchRatio,
      v(FIELD.dispatchRatio),
      '<',
      c.matching_dispatch_ratio_min,
      v(FIELD.dispatchRatio) === null ? undefined : dispatchDemand(v, rules),
    ),
  ];
}

/**
 * The cluster's parts, from its scrape targets: a service with no instance up is critical (its
 * work cannot move: matching stopped means no task is dispatched), one instance of several gone
 * is stress (its shards or partitions move to the others). Absent on a single dev server.
 */
function partGates(v: ReadSignal, targets: readonly TargetState[] | undefined): Gate[] {
  const named = (g: Gate, list: string): Gate => (g.fired === true ? { ...g, note: list } : g);
  const down = instancesDown(targets);
  const services = servicesDown(targets);
  const count = (s: string) => (targets ?? []).filter((x) => x.service === s).length;
  return [
    named(
      gate('critical.service_down', 'critical', FIELD.servicesDown, v(FIELD.servicesDown), '>', 0),
      services.map((s) => `${s}: none of ${String(count(s))} instance(s) up`).join('; '),
    ),
    named(
      gate(
        'stressed.instance_down',
        'stressed',
        FIELD.instancesDown,
        v(FIELD.instancesDown),
        '>',
        0,
      ),
      `not scraped: ${down.map((x) => x.instance).join(', ')}`,
    ),
  ];
}

function stressedGates(v: ReadSignal, t: Thresholds, rules: Rules): Gate[] {
  const s = t.stressed;
  const st = v(FIELD.throughput);
  const lowDemand =
    st !== null && st < rules.demand_floor_per_sec
      ? {
          fired: false,
          note: `not evaluated: low demand (${fmt(st)} st/s < ${rules.demand_floor_per_sec})`,
        }
      : undefined;
  return [
    gate(
      'stressed.transition_latency',
      'stressed',
      FIELD.transitionLatencyP99,
      v(FIELD.transitionLatencyP99),
      '>',
      s.state_transition_latency_p99_max_ms,
    ),
    gate(
      'stressed.history_backlog',
      'stressed',
      FIELD.historyBacklog,
      v(FIELD.historyBacklog),
      '>',
      s.history_backlog_age_stress_sec,
    ),
    gate(
      'stressed.frontend_latency',
      'stressed',
      FIELD.frontendP99,
      v(FIELD.frontendP99),
      '>',
      s.frontend_latency_p99_max_ms,
      v(FIELD.frontendP99) === null ? undefined : lowDemand,
    ),
    gate(
      'stressed.persistence_errors',
      'stressed',
      FIELD.persistenceErrors,
      v(FIELD.persistenceErrors),
      '>=',
      1,
      v(FIELD.persistenceErrors) === null
        ? undefined
        : {
            fired: persistenceErring(v),
            note: 'fires at >= 1 error/s that are also >= 5 % of the state transitions',
          },
    ),
    gate(
      'stressed.persistence_latency',
      'stressed',
      FIELD.persistenceP99,
      v(FIELD.persistenceP99),
      '>',
      s.persistence_latency_p99_max_ms,
    ),
    gate(
      'stressed.shard_churn',
      'stressed',
      FIELD.shardChurn,
      v(FIELD.shardChurn),
      '>',
      s.shard_churn_rate_max_per_sec,
    ),
    gate(
      'stressed.poller_timeouts',
      'stressed',
      FIELD.pollTimeoutRate,
      v(FIELD.pollTimeoutRate),
      '>',
      s.poller_timeout_rate_max,
      v(FIELD.pollTimeoutRate) === null ? undefined : lowDemand,
    ),
    gate(
      'stressed.server_restarts',
      'stressed',
      FIELD.restarts,
      v(FIELD.restarts),
      '>',
      s.server_restarts_max,
    ),
    gate(
      'stressed.matching_dispatch',
      'stressed',
      FIELD.dispatchRatio,
      v(FIELD.dispatchRatio),
      '<',
      s.matching_dispatch_ratio_min,
      v(FIELD.dispatchRatio) === null ? undefined : dispatchDemand(v, rules),
    ),
  ];
}

function healthyGates(v: ReadSignal, t: Thresholds, rules: Rules): Gate[] {
  const h = t.healthy;
  const success = v(FIELD.success);
  const failed = v(FIELD.failed);
  const terminal = success === null || failed === null ? null : success + failed;
  return [
    gate(
      'healthy.throughput',
      'healthy',
      FIELD.throughput,
      v(FIELD.throughput),
      '>=',
      h.state_transitions_healthy_per_sec,
    ),
    gate(
      'healthy.history_backlog',
      'healthy',
      FIELD.historyBacklog,
      v(FIELD.historyBacklog),
      '<=',
      h.history_backlog_age_healthy_sec,
    ),
    gate(
      'healthy.completion_rate',
      'healthy',
      FIELD.completionRate,
      v(FIELD.completionRate),
      '>=',
      h.workflow_completion_rate_healthy,
      terminal !== null && terminal < rules.completion_demand_floor_per_sec
        ? { fired: true, note: 'skipped: too few completions to judge' }
        : undefined,
    ),
  ];
}

function describe(g: Gate): string {
  const which =
    g.id === 'critical.service_down' || g.id === 'stressed.instance_down'
      ? ` (${g.note ?? ''})`
      : '';
  return `${g.kind} gate ${g.id} fired: ${g.signal.replace(/^primary_signals\./, '')} ${fmt(g.observed)} ${g.condition}${which}`;
}

function fmt(x: SignalValue): string {
  if (x === null) return 'absent';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}
