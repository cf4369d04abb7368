/**
 * Narrative log signals: a fixed list of substrings that explain *why* a cluster struggles (timeouts,
 * membership churn, pool pressure, OCC conflicts). They never decide health on their own; the
 * counts and one sample per pattern and service are handed to whoever explains an assessment.
 *
 * Log text is untrusted data. Every string taken from a log line (sample message, service label)
 * leaves this module single-line, free of control characters and bounded in length, so it can be
 * quoted into an LLM prompt or printed to a terminal without forging lines or escape sequences.
 * Nothing here ever interprets it.
 */
import type { LogPatternCount } from '../model/records.js';

export interface LogPatternDef {
  /** Stable kebab-case identifier derived from the pattern. */
  readonly id: string;
  /** Matched as a case-insensitive substring of the message. */
  readonly pattern: string;
  /** `.*` matches any service; anything else must be a substring of the entry's service. */
  readonly service: string;
  readonly description: string;
}

/** Any service: the reference's spelling, kept so pattern lists can be compared with it. */
export const ANY_SERVICE = '.*';

/** Longest sample message kept per pattern and service (the reference's cut-off). */
export const SAMPLE_MAX_CHARS = 500;

/** Service labels come from the same untrusted source; real ones are short. */
const SERVICE_MAX_CHARS = 100;

const DEFINITIONS: readonly (readonly [pattern: string, service: string, description: string])[] = [
  ['deadline exceeded', ANY_SERVICE, 'Timeout pressure'],
  ['context canceled', ANY_SERVICE, 'Cancellation cascade'],
  ['shard ownership', 'history', 'Membership instability'],
  ['member joined', ANY_SERVICE, 'Ringpop membership change'],
  ['member left', ANY_SERVICE, 'Ringpop membership change'],
  ['no poller', 'matching', 'Worker misconfiguration'],
  ['reservoir discard', 'history', 'Connection pool pressure'],
  ['SQLSTATE 40001', ANY_SERVICE, 'OCC serialization failure'],
  ['rate limit exceeded', ANY_SERVICE, 'DSQL connection rate limit'],
  ['shard acquired', 'history', 'Shard ownership change'],
  ['shard released', 'history', 'Shard ownership change'],
  ['serialization failure', ANY_SERVICE, 'OCC serialization failure'],
  ['connection refused', ANY_SERVICE, 'Service connectivity issue'],
  ['pool exhausted', ANY_SERVICE, 'Connection pool exhaustion'],
];

function kebabCase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The 14 narrative patterns of the reference copilot (`activities/loki.py`), in its order. */
export const LOG_PATTERNS: readonly LogPatternDef[] = Object.freeze(
  DEFINITIONS.map(([pattern, service, description]) =>
    Object.freeze({ id: kebabCase(pattern), pattern, service, description }),
  ),
);

/** Wire shape, same field names as the reference API's log_patterns entries (model/records). */
export type { LogPatternCount };

export interface LogEntry {
  readonly message: string;
  readonly service: string;
  readonly time?: Date;
}

/** What one source found in one time window. Sources report failures here instead of throwing. */
export interface LogCollection {
  readonly source: 'loki' | 'file';
  readonly patterns: LogPatternCount[];
  /** Log lines the source examined in this call, whatever their level, time or shape. */
  readonly lines_scanned: number;
  /** ISO-8601 bounds of the window asked for. */
  readonly window: { start: string; end: string };
  /** Sanitized, secret-free descriptions of what went wrong; empty when the collection is whole. */
  readonly errors: readonly string[];
}

export interface LogSource {
  collect(window: { start: Date; end: Date }, signal?: AbortSignal): Promise<LogCollection>;
}

/**
 * Why a window cannot be collected (an invalid date, or an end before the start), or undefined
 * when it can. Sources check this before reading, so a bad window consumes nothing.
 */
export function windowProblem(window: { start: Date; end: Date }): string | undefined {
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return 'the window has an invalid date';
  if (end < start) return 'the window ends before it starts';
  return undefined;
}

/** The window as ISO strings; an invalid date shows as `invalid` instead of throwing. */
export function windowToIso(window: { start: Date; end: Date }): { start: string; end: string } {
  const iso = (d: Date): string => (Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString());
  return { start: iso(window.start), end: iso(window.end) };
}

// C0 controls (tab included: it is whitespace a prompt can do without), DEL, C1 controls (CSI and
// friends), and the Unicode bidi embedding/override/isolate marks that can reorder displayed text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// Anything that starts a new line for a terminal, a prompt or a JSON-to-JS consumer.
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;

/**
 * Makes untrusted log text safe to quote: line breaks become one space, other control characters
 * are removed, and the result is cut to `maxChars` UTF-16 units without splitting a surrogate pair.
 */
export function sanitizeLogText(text: string, maxChars: number): string {
  // Cleaning the whole of a huge line would waste time on text that is cut anyway; a generous raw
  // prefix still yields `maxChars` characters unless the line is mostly control characters.
  const prefix = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  const clean = prefix.replace(LINE_BREAKS, ' ').replace(CONTROL, '');
  if (clean.length <= maxChars) return clean;
  const cut = clean.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function serviceMatches(filter: string, service: string): boolean {
  return filter === ANY_SERVICE || service.includes(filter.toLowerCase());
}

/**
 * Counts pattern matches per pattern and service, as the reference does: the lower-cased message
 * contains the lower-cased pattern, the service passes the pattern's filter, the first match is
 * kept as the sample, and the result is sorted by count (descending; ties keep first-seen order).
 * One entry can match several patterns and counts for each. Service filters compare lower-cased
 * text, a superset of the reference's case-sensitive check that only matters for odd labels.
 */
export function countPatterns(
  entries: Iterable<LogEntry>,
  patterns: readonly LogPatternDef[] = LOG_PATTERNS,
): LogPatternCount[] {
  const counter = new PatternCounter(patterns);
  for (const entry of entries) counter.add(entry);
  return counter.result();
}

/**
 * `countPatterns` one entry at a time, for sources that stream a log and must not hold all of its
 * lines in memory. Memory is one row per pattern and service seen.
 */
export class PatternCounter {
  readonly #patterns: readonly { index: number; def: LogPatternDef; needle: string }[];
  readonly #counts = new Map<
    string,
    { -readonly [K in keyof LogPatternCount]: LogPatternCount[K] }
  >();

  constructor(patterns: readonly LogPatternDef[] = LOG_PATTERNS) {
    this.#patterns = patterns.map((def, index) => ({
      index,
      def,
      needle: def.pattern.toLowerCase(),
    }));
  }

  add(entry: LogEntry): void {
    const message = entry.message.toLowerCase();
    // Sanitized before it becomes a key, so two raw labels that clean to the same text are one row.
    let service: string | undefined;
    for (const { index, def, needle } of this.#patterns) {
      if (!message.includes(needle)) continue;
      service ??= sanitizeLogText(entry.service, SERVICE_MAX_CHARS);
      if (!serviceMatches(def.service, service.toLowerCase())) continue;
      // Keyed by position, not id: a caller's list may reuse an id. Digits then NUL cannot collide.
      const key = `${index}\u0000${service}`;
      const found = this.#counts.get(key);
      if (found === undefined) {
        // Sanitized now, so a huge first message is not held until the end.
        const sample_message = sanitizeLogText(entry.message, SAMPLE_MAX_CHARS);
        this.#counts.set(key, { pattern: def.pattern, service, count: 1, sample_message });
      } else {
        found.count += 1;
      }
    }
  }

  /** The rows so far, most frequent first; a snapshot the counter does not change afterwards. */
  result(): LogPatternCount[] {
    // Array sort is stable, so equal counts keep the order in which they were first seen.
    return [...this.#counts.values()].map((row) => ({ ...row })).sort((a, b) => b.count - a.count);
  }
}
