import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { redactSecrets } from '../log/redact.js';

import {
  LOG_PATTERNS,
  PatternCounter,
  sanitizeLogText,
  windowProblem,
  windowToIso,
} from './log-patterns.js';
import type { LogCollection, LogPatternDef, LogSource } from './log-patterns.js';

/** The reference copilot's one LogQL query: Temporal jobs, lines that mention a bad level. */
export const DEFAULT_LOKI_QUERY = '{job=~"temporal.*"} |~ "(?i)(error|warn|fatal|panic)"';

export type LokiAuth =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string };

export interface LokiSourceOptions {
  /** Loki's base URL; a path prefix (a gateway's `/loki-proxy/`) is kept. */
  readonly baseUrl: string;
  readonly query?: string;
  /** Most lines Loki returns per call (its `limit`); more in the window means lower-bound counts. */
  readonly limit?: number;
  readonly timeoutMs?: number;
  readonly auth?: LokiAuth;
  /** Sent as `X-Scope-OrgID` for multi-tenant Loki (Grafana Cloud, Mimir-style gateways). */
  readonly tenantId?: string;
  readonly patterns?: readonly LogPatternDef[];
  /** Injected for tests and proxies; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

const ERROR_BODY_CHARS = 200;
const ERROR_MAX_CHARS = 400;

// Loki's query_range answer for a log query. Newer Loki may append a third element per value
// (structured metadata, with the categorize-labels header); it is accepted and ignored.
const StreamsResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({
        stream: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.string(), z.string()], z.unknown())),
      }),
    ),
  }),
});

/**
 * Counts narrative log patterns with one Loki `query_range` call per window, as the reference
 * copilot does. Never throws: HTTP failures, timeouts and bodies that are not a streams answer
 * come back as `errors`, and no error text ever contains the token or password.
 */
export class LokiSource implements LogSource {
  readonly #url: URL;
  readonly #query: string;
  readonly #limit: number;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #secrets: readonly string[];
  readonly #patterns: readonly LogPatternDef[];
  readonly #fetch: typeof fetch;

  constructor(options: LokiSourceOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (err) {
      // Not echoed: a malformed URL may still carry a password.
      throw new HeadwayError(ErrorCode.ConfigInvalid, 'the Loki URL does not parse', {
        hint: 'expected an absolute http(s) URL such as http://localhost:3100',
        cause: err,
      });
    }
    if (base.username !== '' || base.password !== '') {
      // fetch refuses such URLs, and a URL is printed in errors: credentials belong in `auth`.
      throw new HeadwayError(ErrorCode.ConfigInvalid, 'the Loki URL must not contain credentials', {
        hint: "pass them as auth: { type: 'basic', username, password }",
      });
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#url = new URL('loki/api/v1/query_range', base);
    this.#query = options.query ?? DEFAULT_LOKI_QUERY;
    this.#limit = positiveInteger('limit', options.limit ?? 1000);
    this.#timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? 10_000);
    this.#patterns = options.patterns ?? LOG_PATTERNS;
    this.#fetch = options.fetch ?? fetch;
    const headers: Record<string, string> = { Accept: 'application/json' };
    const secrets: string[] = [];
    const auth = options.auth ?? { type: 'none' };
    switch (auth.type) {
      case 'none':
        break;
      case 'bearer':
        headers.Authorization = `Bearer ${auth.token}`;
        secrets.push(auth.token);
        break;
      case 'basic': {
        const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
        headers.Authorization = `Basic ${encoded}`;
        secrets.push(auth.password, encoded);
        break;
      }
    }
    if (options.tenantId !== undefined) headers['X-Scope-OrgID'] = options.tenantId;
    this.#headers = headers;
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  }

  async collect(window: { start: Date; end: Date }, signal?: AbortSignal): Promise<LogCollection> {
    const problem = windowProblem(window);
    if (problem !== undefined) {
      return {
        source: 'loki',
        patterns: [],
        lines_scanned: 0,
        window: windowToIso(window),
        errors: [problem],
      };
    }
    const errors: string[] = [];
    const counter = new PatternCounter(this.#patterns);
    let scanned = 0;
    const url = new URL(this.#url);
    url.searchParams.set('query', this.#query);
    url.searchParams.set('start', nanoseconds(window.start));
    url.searchParams.set('end', nanoseconds(window.end));
    url.searchParams.set('limit', String(this.#limit));
    // Oldest first, so the kept sample is the first occurrence, as in the reference.
    url.searchParams.set('direction', 'forward');
    const where = `${url.origin}${url.pathname}`;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    try {
      const response = await this.#fetch(url, { headers: this.#headers, signal: combined });
      // Read under the same signal: a server that sends headers and then stalls is a timeout too.
      const text = await response.text();
      if (!response.ok) {
        errors.push(`Loki ${where} answered HTTP ${response.status}: ${this.#excerpt(text)}`);
      } else {
        scanned = this.#count(text, counter, errors);
        if (scanned >= this.#limit) {
          errors.push(
            `Loki returned its limit of ${this.#limit} lines; the window may hold more, so counts are a lower bound`,
          );
        }
      }
    } catch (err) {
      if (timeout.aborted) {
        errors.push(`Loki ${where} did not answer within ${this.#timeoutMs} ms`);
      } else if (signal?.aborted === true) {
        errors.push('aborted');
      } else {
        errors.push(`Loki ${where} could not be reached: ${errorMessage(err)}`);
      }
    }
    return {
      source: 'loki',
      patterns: counter.result(),
      lines_scanned: scanned,
      window: windowToIso(window),
      // Redacted before and after cleaning: removing control characters could join a split secret.
      errors: errors.map((e) => this.#redact(sanitizeLogText(this.#redact(e), ERROR_MAX_CHARS))),
    };
  }

  /** Parses a streams answer into the counter; returns the number of lines. */
  #count(text: string, counter: PatternCounter, errors: string[]): number {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      errors.push(`Loki answered with a body that is not JSON: ${this.#excerpt(text)}`);
      return 0;
    }
    const parsed = StreamsResponse.safeParse(body);
    if (!parsed.success) {
      errors.push(`Loki answered with an unexpected shape: ${z.prettifyError(parsed.error)}`);
      return 0;
    }
    if (parsed.data.data.resultType !== 'streams') {
      errors.push(
        `Loki answered with a ${parsed.data.data.resultType} result; the query must select log lines, not a metric`,
      );
      return 0;
    }
    let lines = 0;
    for (const { stream, values } of parsed.data.data.result) {
      // The reference's label precedence; Loki 3 derives service_name itself when absent.
      const service = stream.service_name ?? stream.job ?? 'unknown';
      for (const [ts, line] of values) {
        lines += 1;
        counter.add({ message: line, service, time: fromNanoseconds(ts) });
      }
    }
    return lines;
  }

  /**
   * The start of a response body for an error message. Redacted before it is cut: a cut could
   * leave a prefix of an echoed secret that no longer matches it whole.
   */
  #excerpt(text: string): string {
    return sanitizeLogText(this.#redact(text), ERROR_BODY_CHARS);
  }

  /** Removes every credential from text that may be shown or logged. */
  #redact(text: string): string {
    return redactSecrets(text, this.#secrets, '[redacted]');
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `LokiSource ${name} must be a positive integer`,
    );
  }
  return value;
}

/** Loki takes Unix nanoseconds as a decimal string; BigInt keeps the digits exact. */
function nanoseconds(date: Date): string {
  return (BigInt(date.getTime()) * 1_000_000n).toString();
}

function fromNanoseconds(ts: string): Date | undefined {
  if (!/^\d{1,25}$/.test(ts)) return undefined;
  return new Date(Number(BigInt(ts) / 1_000_000n));
}
