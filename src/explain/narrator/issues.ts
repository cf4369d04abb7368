import type { HealthState } from '../../health/types.js';
import type { LogEvidence } from '../explanation.js';
import type { DraftIssue, LogPatternCount } from '../../model/records.js';

import type { Advice } from './advice.js';
import type { Finding } from './finding.js';
import { KNOWN_PATTERNS, LOG_RUNBOOKS, logLines, logPhrase, type LogLine } from './logs.js';
import { capitalize, listOf } from './text.js';
import type { UnknownReason } from './unknown.js';

const MAX_LOG_ISSUES = 3;
const MAX_LOG_EVIDENCE = 5;

/**
 * The issues, in finding order, and the log evidence. A log line is attached to the issue whose
 * runbook it belongs to, else reported on its own as info.
 */
export function issuesOf(
  state: HealthState,
  logPatterns: readonly LogPatternCount[],
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
  advice: Advice,
): { issues: DraftIssue[]; evidence: LogEvidence[] } {
  const attached = new Map<string, LogLine[]>();
  const loose: LogLine[] = [];
  const evidence: LogEvidence[] = [];
  for (const l of logLines(logPatterns)) {
    const runbooks = l.known === null ? [] : (LOG_RUNBOOKS[l.known] ?? []);
    const target = findings.find((f) => f.cause !== null && runbooks.includes(f.cause.runbook));
    if (target !== undefined) attached.set(target.key, [...(attached.get(target.key) ?? []), l]);
    else loose.push(l);
    if (evidence.length < MAX_LOG_EVIDENCE) {
      evidence.push({
        pattern: l.pattern,
        service: l.service,
        count: l.count,
        quote: l.quote,
        issue: target?.title ?? null,
      });
    }
  }

  const issues: DraftIssue[] = [];
  if (state === 'unknown') {
    issues.push({
      severity: 'warning',
      title: 'Health cannot be judged',
      description: `Headway cannot tell whether the cluster makes progress: ${listOf(unknown.map((u) => u.text))}.`,
      likely_cause: 'Prometheus, the scrape target or the metrics the gates need are unavailable',
      suggested_actions: advice.actions.map((a) => a.description),
      related_metrics: [],
    });
  }
  for (const f of findings) {
    const logs = attached.get(f.key) ?? [];
    issues.push({
      severity: f.severity,
      title: f.title,
      description:
        logs.length === 0
          ? f.description
          : `${f.description} Logs: ${logs.slice(0, 2).map(logPhrase).join('; ')}.`,
      likely_cause: f.cause === null ? null : capitalize(f.cause.text),
      suggested_actions: f.cause === null ? [] : (advice.stepsByCause.get(f.cause.key) ?? []),
      related_metrics: f.metrics,
    });
  }
  for (const l of loose.slice(0, MAX_LOG_ISSUES)) {
    issues.push({
      severity: 'info',
      title: `Log pattern: ${l.pattern}`,
      description: `${capitalize(logPhrase(l))}${l.known === null ? '' : ` (${KNOWN_PATTERNS.get(l.known)?.description ?? 'known pattern'})`}.`,
      likely_cause: null,
      suggested_actions: [],
      related_metrics: [],
    });
  }
  return { issues, evidence };
}
