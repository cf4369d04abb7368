import { FIELD, isSignalField } from '../../model/signal-fields.js';
import type { ContributingFactor } from '../explanation.js';

import type { Context } from './context.js';
import type { Finding } from './finding.js';
import { gateFactorText, pastness, ratioOf } from './gates.js';
import { num, pct, round2 } from './text.js';
import type { UnknownReason } from './unknown.js';

const MAX_FACTORS = 6;

/**
 * The reasons behind the state, weighted: the fired gates, the signals nearest their limits, and
 * the evidence the findings rest on.
 */
export function contributingFactors(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
): ContributingFactor[] {
  const { evaluation, v } = c;
  if (c.state === 'unknown') return unknown.map((u) => u.factor);
  const out: ContributingFactor[] = [];
  if (evaluation.is_idle) {
    out.push({
      factor: 'idle: no demand, no errors and no work waiting',
      signal: FIELD.throughput,
      observed: v(FIELD.throughput),
      weight: 1,
    });
  }
  const firedIds = new Set(c.fired.map((g) => g.id));
  const firedSignals = new Set<string>();
  for (const g of c.fired) {
    // One factor per signal: a backlog past both limits is one reason, at its graver weight.
    if (firedSignals.has(g.signal)) continue;
    firedSignals.add(g.signal);
    const s = pastness(ratioOf(g));
    out.push({
      factor: gateFactorText(g),
      signal: g.signal,
      observed: g.observed,
      weight: round2(g.kind === 'critical' ? 0.75 + 0.2 * s : 0.5 + 0.2 * s),
    });
  }
  // Signals nearest their limits: only gates that were really evaluated and passed. A suppressed or
  // demand-gated gate says nothing about closeness, and an idle cluster's low throughput is rest.
  const near = evaluation.gates
    .filter(
      (g) =>
        g.kind !== 'healthy' &&
        !firedIds.has(g.id) &&
        g.fired === false &&
        g.note === undefined &&
        g.observed !== null &&
        !(evaluation.is_idle && g.condition.startsWith('<')),
    )
    .map((g) => ({ g, r: Math.min(ratioOf(g), 0.99) }))
    .filter(({ r }) => Number.isFinite(r) && r > 0)
    .sort((a, b) => b.r - a.r || a.g.id.localeCompare(b.g.id));
  const nearLimit = near.filter(({ r }) => r >= 0.5);
  // A calm cluster still gets its two closest limits, unless they are far: then nothing is near.
  const calm = c.fired.length === 0 && !evaluation.is_idle && nearLimit.length === 0;
  for (const { g, r } of calm ? near.filter((n) => n.r >= 0.25).slice(0, 2) : nearLimit) {
    out.push({
      factor: `${gateFactorText(g)}: ${pct(r)} of the way to its limit`,
      signal: g.signal,
      observed: g.observed,
      weight: round2(0.45 * r),
    });
  }
  // Evidence a gate's cause rests on, when it is not itself a gate: misrouted tasks explain the
  // poll timeouts better than the timeout rate does.
  const noPoller = v(FIELD.noPollerTasks);
  if (c.e.noPollers && noPoller !== null && !findings.some((f) => f.key === 'no_pollers')) {
    out.push({
      factor: `${num(noPoller)} tasks/s added to queues with no poller`,
      signal: FIELD.noPollerTasks,
      observed: noPoller,
      weight: 0.55,
    });
  }
  for (const f of findings) {
    if (f.key.startsWith('gate:')) continue;
    const weight =
      f.key === 'worker_limited' || f.key === 'no_pollers' || f.key === 'matching_waiting'
        ? 0.6
        : f.key === 'retention'
          ? 0.55
          : f.key === 'between' || f.key === 'recovering'
            ? 0.5
            : 0.3;
    const signal = f.metrics[0] ?? null;
    out.push({
      factor: f.cause === null ? f.title : `${f.title}: ${f.cause.text}`,
      signal,
      // A finding's first metric may be a gate's signal, held as a plain string.
      observed: signal !== null && isSignalField(signal) ? v(signal) : null,
      weight,
    });
  }
  return out
    .sort((a, b) => b.weight - a.weight || a.factor.localeCompare(b.factor))
    .slice(0, MAX_FACTORS);
}
