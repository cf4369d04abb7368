import { LOG_PATTERNS, sanitizeLogText } from '../../signals/log-patterns.js';

import type { LogPatternCount } from '../../model/records.js';

/**
 * Log lines: quoted, never believed. They are sanitized and bounded, and only ever attached to an
 * issue whose cause the metrics chose; they never choose a cause, a severity or an action.
 */

const QUOTE_MAX_CHARS = 160;
const LABEL_MAX_CHARS = 60;

/** The runbooks each known log pattern belongs to. */
export const LOG_RUNBOOKS: Readonly<Record<string, readonly string[]>> = {
  'deadline exceeded': ['persistence-latency.md', 'backlog-growth.md'],
  'context canceled': ['persistence-latency.md', 'backlog-growth.md'],
  'shard ownership': ['shard-churn.md', 'occ-conflicts.md'],
  'member joined': ['shard-churn.md'],
  'member left': ['shard-churn.md'],
  'no poller': ['poller-misconfiguration.md'],
  'reservoir discard': ['persistence-latency.md'],
  'sqlstate 40001': ['occ-conflicts.md', 'persistence-latency.md'],
  'rate limit exceeded': ['persistence-latency.md'],
  'shard acquired': ['shard-churn.md'],
  'shard released': ['shard-churn.md'],
  'serialization failure': ['occ-conflicts.md', 'persistence-latency.md'],
  'connection refused': ['no-data.md', 'persistence-latency.md'],
  'pool exhausted': ['persistence-latency.md'],
};

export const KNOWN_PATTERNS = new Map(LOG_PATTERNS.map((p) => [p.pattern.toLowerCase(), p]));

export interface LogLine {
  readonly pattern: string;
  readonly service: string;
  readonly count: number;
  readonly quote: string;
  readonly known: string | null;
}

/** The input's log patterns with a count, sanitized, most frequent first. */
export function logLines(patterns: readonly LogPatternCount[]): LogLine[] {
  return patterns
    .filter((p) => Number.isFinite(p.count) && p.count > 0)
    .map((p) => {
      const pattern = sanitizeLogText(String(p.pattern), LABEL_MAX_CHARS);
      const lower = pattern.toLowerCase();
      return {
        pattern,
        service: sanitizeLogText(String(p.service), LABEL_MAX_CHARS),
        count: Math.round(p.count),
        quote: sanitizeLogText(String(p.sample_message), QUOTE_MAX_CHARS),
        known: KNOWN_PATTERNS.has(lower) ? lower : null,
      };
    })
    .sort(
      (a, b) =>
        b.count - a.count ||
        a.pattern.localeCompare(b.pattern) ||
        a.service.localeCompare(b.service),
    );
}

export const logPhrase = (l: LogLine): string =>
  `${l.count}${l.service.length > 0 ? ` ${l.service}` : ''} log ${l.count === 1 ? 'line matches' : 'lines match'} "${l.pattern}"${l.quote.length > 0 ? `, e.g. “${l.quote}”` : ''}`;
