import type { Gate } from '../../health/types.js';
import { FIELD } from '../../model/signal-fields.js';

import { causeOf } from './causes/choose.js';
import type { Context } from './context.js';
import { shortField } from './fields.js';
import { severityFor, type Finding } from './finding.js';
import { GATE_STORIES } from './gate-stories.js';
import { kindRank, pastness, ratioOf } from './gates.js';
import { offGateFindings } from './off-gate.js';
import { capitalize, listOf, num, withUnit } from './text.js';

/** A fired gate as a finding, with the cause its route through the cause table gives. */
function gateFinding(c: Context, g: Gate): Finding {
  const story = GATE_STORIES[g.id];
  const cause = causeOf(c, g);
  const observed = g.observed === null ? 'absent' : withUnit(g.observed, story?.unit ?? '');
  const limit = withUnit(g.threshold, story?.unit ?? '');
  const direction = g.condition.startsWith('<') ? 'below' : 'above';
  const count = c.evaluation.consecutive_critical;
  const rule = c.thresholds.rules.consecutive_critical;
  const confirmation =
    g.kind !== 'critical'
      ? ''
      : c.state === 'critical'
        ? ` Critical for ${count} evaluations in a row.`
        : ` Critical evaluation ${count} of ${rule} in a row: stressed until confirmed.`;
  return {
    key: `gate:${g.id}`,
    severity: severityFor(c.state, g.kind === 'critical' ? 'critical' : 'warning'),
    service: cause.service,
    title: capitalize(story?.problem ?? g.id),
    description: `${capitalize(story?.subject ?? shortField(g.signal))}: ${observed}, ${g.kind} ${direction} ${limit} in the ${c.evaluation.scale_band} band (${shortField(g.signal)}).${confirmation}`,
    cause,
    metrics: [g.signal],
    rank: kindRank(g) * 10 + pastness(ratioOf(g)),
  };
}

/** A stressed state with no fired gate: recovering from critical, or between thresholds. */
function betweenFinding(c: Context): Finding | null {
  const reason = c.evaluation.reasons.find((r) => r.startsWith('recovering'));
  if (reason !== undefined) {
    return {
      key: 'recovering',
      severity: 'warning',
      service: 'history',
      title: 'Recovering from critical',
      description:
        'No gate fires, but the cluster is still near the critical thresholds it just left, so it stays stressed.',
      cause: null,
      metrics: [FIELD.throughput, FIELD.historyBacklog, FIELD.processing],
      rank: 1,
    };
  }
  const failing = c.evaluation.gates.filter((g) => g.kind === 'healthy' && g.fired === false);
  if (failing.length === 0) return null;
  const words: Record<string, string> = {
    'healthy.throughput': 'state transitions are below the healthy level',
    'healthy.history_backlog': 'the history backlog is older than the healthy age',
    'healthy.completion_rate': 'the completion rate is below the healthy level',
  };
  return {
    key: 'between',
    severity: 'warning',
    service: failing.some((g) => g.id === 'healthy.completion_rate') ? 'workers' : 'history',
    title: 'Between thresholds',
    description: `No gate fires, but not every healthy gate passes: ${listOf(failing.map((g) => `${words[g.id] ?? g.id} (${g.observed === null ? 'absent' : num(g.observed)}, healthy ${g.condition})`))}.`,
    cause: null,
    metrics: failing.map((g) => g.signal),
    rank: 1,
  };
}

/** The findings of an explanation, most important first (none when the state is unknown). */
export function findingsOf(c: Context): Finding[] {
  const { state } = c;
  let findings: Finding[] = [];
  if (state === 'unknown') return findings;
  if (state === 'stressed' || state === 'critical') {
    findings = c.fired.map((g) => gateFinding(c, g));
    // Two gates on one subject (a backlog past both limits) tell one story: keep the graver.
    const seen = new Set<string>();
    findings = findings.filter((f) => {
      const subject = GATE_STORIES[f.key.slice('gate:'.length)]?.subject ?? f.key;
      if (seen.has(subject)) return false;
      seen.add(subject);
      return true;
    });
    if (findings.length === 0) {
      const between = betweenFinding(c);
      if (between !== null) findings.push(between);
    }
  }
  if (!c.evaluation.is_idle) {
    const covered = new Set(findings.map((f) => f.cause?.key ?? f.key));
    findings.push(...offGateFindings(c, covered));
  }
  findings.sort((a, b) => b.rank - a.rank || a.key.localeCompare(b.key));
  return findings;
}
