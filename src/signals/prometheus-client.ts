import { STATUS_CODES } from 'node:http';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { redactSecrets, redactUrlUserinfo } from '../log/redact.js';

import {
  MalformedResponse,
  decodeInstant,
  decodeMatrix,
  describeBody,
  isRecord,
  parseJson,
  type RangeSeries,
  type VectorSample,
} from './prometheus-answer.js';
import { compileAuth, type CompiledAuth, type PrometheusAuth } from './prometheus-auth.js';

/**
 * A client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`, `/-/ready`) that
 * also speaks to Prometheus-compatible services behind authentication, such as Amazon Managed
 * Prometheus. See docs/prometheus-client.md.
 *
 * Secrets (bearer token, basic-auth password, AWS secret key and session token) are kept in private
 * fields and never appear in an error message or a thrown object: every message this module builds
 * is passed through the client's redaction first.
 */

export interface PrometheusClientOptions {
  /** Where the API lives; a path prefix is kept (`https://host/workspaces/ws-1` → `…/ws-1/api/v1/query`). */
  readonly baseUrl: string;
  readonly auth?: PrometheusAuth;
  /** Per request, including reading the body. Default 5000. */
  readonly timeoutMs?: number;
  /** Where SigV4 credentials are read from when `auth.credentials` is absent. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
  /** The clock SigV4 signs with. */
  readonly now?: () => Date;
}

export interface InstantQueryOptions {
  /** Evaluation time; default the server's now. */
  readonly time?: Date;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface RangeQueryOptions {
  readonly start: Date;
  readonly end: Date;
  readonly stepSeconds: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** How a request failed; `PrometheusError.failure`. */
export type PrometheusFailure =
  /** Prometheus answered with an API error (`errorType`/`error`): bad query, execution error… */
  | 'api'
  /** 401 or 403. */
  | 'auth'
  /** Any other non-2xx answer that is not a Prometheus API error (proxy pages, redirects…). */
  | 'http'
  /** A 2xx answer that is not the Prometheus API JSON we expected. */
  | 'response'
  | 'timeout'
  /** No HTTP answer at all: refused, reset, DNS… */
  | 'network'
  /** The caller's signal aborted the request. */
  | 'aborted';

export class PrometheusError extends HeadwayError {
  readonly failure: PrometheusFailure;
  readonly method: string;
  /** Origin and path of the request; never holds credentials. */
  readonly url: string;
  readonly status: number | undefined;
  /** Prometheus's `errorType` (`bad_data`, `execution`, `timeout`…) when it sent one. */
  readonly errorType: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    fields: {
      failure: PrometheusFailure;
      method: string;
      url: string;
      status?: number;
      errorType?: string;
      hint?: string;
    },
  ) {
    super(code, message, fields.hint === undefined ? {} : { hint: fields.hint });
    this.name = 'PrometheusError';
    this.failure = fields.failure;
    this.method = fields.method;
    this.url = fields.url;
    this.status = fields.status;
    this.errorType = fields.errorType;
  }
}

const DEFAULT_TIMEOUT_MS = 5_000;
const REDACTED = '[redacted]';

interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly location: string | null;
  readonly text: string;
}

interface RequestContext {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  /** How the request is named in messages: method, origin and path. */
  readonly label: string;
}

export class PrometheusClient {
  /** The API base, without a trailing slash. */
  readonly baseUrl: string;
  readonly #base: URL;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #auth: CompiledAuth;

  constructor(options: PrometheusClientOptions) {
    this.#base = parseBaseUrl(options.baseUrl);
    this.baseUrl = this.#base.href.replace(/\/+$/, '');
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? (() => new Date());
    this.#auth = compileAuth(options.auth ?? { type: 'none' }, options.env ?? process.env, () =>
      this.#now(),
    );
  }

  /** Evaluates an instant query. A scalar result comes back as one sample with no labels. */
  async instant(query: string, options: InstantQueryOptions = {}): Promise<VectorSample[]> {
    const timeoutMs = checkTimeout(options.timeoutMs ?? this.#timeoutMs);
    const params = new URLSearchParams({ query });
    if (options.time !== undefined) params.set('time', formatTime(options.time, 'time'));
    params.set('timeout', `${timeoutMs}ms`);
    const { data, context } = await this.#api('/api/v1/query', params, timeoutMs, options.signal);
    return this.#decode(context, () => decodeInstant(data));
  }

  /** Evaluates a range query from `start` to `end` (inclusive) every `stepSeconds`. */
  async range(query: string, options: RangeQueryOptions): Promise<RangeSeries[]> {
    const timeoutMs = checkTimeout(options.timeoutMs ?? this.#timeoutMs);
    if (!(Number.isFinite(options.stepSeconds) && options.stepSeconds > 0)) {
      throw new RangeError(`stepSeconds must be a positive number, got ${options.stepSeconds}`);
    }
    if (options.end.getTime() < options.start.getTime()) {
      throw new RangeError('the range query ends before it starts');
    }
    const params = new URLSearchParams({
      query,
      start: formatTime(options.start, 'start'),
      end: formatTime(options.end, 'end'),
      step: String(options.stepSeconds),
      timeout: `${timeoutMs}ms`,
    });
    const { data, context } = await this.#api(
      '/api/v1/query_range',
      params,
      timeoutMs,
      options.signal,
    );
    return this.#decode(context, () => decodeMatrix(data));
  }

  /**
   * True when `GET /-/ready` answers 2xx within the timeout; never throws. Amazon Managed
   * Prometheus and Mimir do not serve `/-/ready`: probe them with `instant('vector(1)')`.
   */
  async ready(options: { readonly timeoutMs?: number } = {}): Promise<boolean> {
    try {
      const timeoutMs = checkTimeout(options.timeoutMs ?? this.#timeoutMs);
      const { answer } = await this.#send('GET', '/-/ready', undefined, timeoutMs, undefined);
      return answer.status >= 200 && answer.status < 300;
    } catch {
      return false;
    }
  }

  /** POSTs a form to an API endpoint and returns the `data` of a successful answer. */
  async #api(
    path: string,
    params: URLSearchParams,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ data: Record<string, unknown>; context: RequestContext }> {
    const { answer, context } = await this.#send('POST', path, params, timeoutMs, signal);
    const body = parseJson(answer.text);
    const ok = answer.status >= 200 && answer.status < 300;
    if (isRecord(body) && body.status === 'error') {
      const errorType = typeof body.errorType === 'string' ? body.errorType : 'error';
      const detail = typeof body.error === 'string' ? body.error : '';
      throw this.#httpError(context, answer, `${errorType}: ${detail}`, errorType);
    }
    if (!ok) throw this.#httpError(context, answer, describeBody(body, answer.text), undefined);
    if (!isRecord(body) || body.status !== 'success' || !isRecord(body.data)) {
      throw this.#responseError(
        context,
        `answered HTTP ${answer.status} without Prometheus API JSON`,
      );
    }
    return { data: body.data, context };
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    params: URLSearchParams | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ answer: HttpAnswer; context: RequestContext }> {
    const url = this.#endpoint(path);
    const context: RequestContext = {
      method,
      url,
      label: `${method} ${url.origin}${url.pathname}`,
    };
    const body = params?.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    Object.assign(headers, await this.#auth.headers(method, url, body));

    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    try {
      // Redirects are not followed: a signature or an Authorization header must not travel on.
      const response = await this.#fetch(url, {
        method,
        headers,
        body,
        signal: combined,
        redirect: 'manual',
      });
      // The same signal bounds reading the body, so a server that stalls mid-answer times out too.
      const text = await response.text();
      const answer = {
        status: response.status,
        statusText: response.statusText,
        location: response.headers.get('location'),
        text,
      };
      return { answer, context };
    } catch (err) {
      if (signal?.aborted === true) {
        throw this.#error(ErrorCode.PrometheusUnreachable, `${context.label} was aborted`, {
          context,
          failure: 'aborted',
        });
      }
      if (timeout.aborted) {
        throw this.#error(
          ErrorCode.PrometheusUnreachable,
          `${context.label} timed out after ${timeoutMs} ms`,
          {
            context,
            failure: 'timeout',
            hint: 'Prometheus is slow or not answering; raise the timeout or simplify the query',
          },
        );
      }
      throw this.#error(
        ErrorCode.PrometheusUnreachable,
        `${context.label} failed: ${describeNetworkError(err)}`,
        {
          context,
          failure: 'network',
          hint: `check that Prometheus is running and reachable at ${url.origin}`,
        },
      );
    }
  }

  /** Runs a decoder and reports a malformed answer as a PrometheusError naming the request. */
  #decode<T>(context: RequestContext, decode: () => T): T {
    try {
      return decode();
    } catch (err) {
      if (!(err instanceof MalformedResponse)) throw err;
      throw this.#responseError(context, `returned ${err.message}`);
    }
  }

  #endpoint(path: string): URL {
    const url = new URL(this.#base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    return url;
  }

  #httpError(
    context: RequestContext,
    answer: HttpAnswer,
    detail: string,
    errorType: string | undefined,
  ): PrometheusError {
    const auth = answer.status === 401 || answer.status === 403;
    const redirect = answer.status >= 300 && answer.status < 400 && answer.location !== null;
    // HTTP/2 has no reason phrase, and a proxy's may be anything: name the standard one.
    const phrase = STATUS_CODES[answer.status] ?? answer.statusText;
    const status = `HTTP ${answer.status}${phrase === '' ? '' : ` ${phrase}`}`;
    const reason = detail === '' ? status : `${status}: ${detail}`;
    return this.#error(
      auth ? ErrorCode.PrometheusAuthFailed : ErrorCode.PrometheusQueryFailed,
      `${context.label} failed: ${redirect ? `${reason} (redirected to ${answer.location})` : reason}`,
      {
        context,
        failure: errorType !== undefined ? 'api' : auth ? 'auth' : 'http',
        status: answer.status,
        ...(errorType === undefined ? {} : { errorType }),
        ...(auth
          ? { hint: 'check the Prometheus credentials (auth type, user, token or keys)' }
          : {}),
        ...(redirect ? { hint: 'use the URL it redirects to as the Prometheus base URL' } : {}),
      },
    );
  }

  #responseError(context: RequestContext, what: string): PrometheusError {
    return this.#error(ErrorCode.PrometheusQueryFailed, `${context.label} ${what}`, {
      context,
      failure: 'response',
      hint: 'is the base URL a Prometheus-compatible query API?',
    });
  }

  #error(
    code: ErrorCode,
    message: string,
    fields: {
      context: RequestContext;
      failure: PrometheusFailure;
      status?: number;
      errorType?: string;
      hint?: string;
    },
  ): PrometheusError {
    const { context, ...rest } = fields;
    return new PrometheusError(code, this.#redact(message), {
      ...rest,
      method: context.method,
      url: `${context.url.origin}${context.url.pathname}`,
    });
  }

  #redact(text: string): string {
    return redactSecrets(text, this.#auth.secrets, REDACTED);
  }
}

export type QueryOutcome =
  | { readonly ok: true; readonly samples: readonly VectorSample[]; readonly ms: number }
  | {
      readonly ok: false;
      readonly error: string;
      readonly ms: number;
      /** No answer at all (timed out, refused, reset, or not sent after one such): Prometheus may be down. */
      readonly unreachable: boolean;
    };

export interface RunInstantQueriesOptions {
  /** Most queries in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Per query; default the client's. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** One evaluation time for every query; default the server's now at each query. */
  readonly time?: Date;
  /**
   * Asked after a query got no answer at all (shared by failures that arrive while it runs): is
   * Prometheus still answering? When it says no, the queries not yet sent are not sent (reported
   * unreachable at once) instead of each waiting out its timeout against a silent Prometheus.
   */
  readonly stillAnswering?: () => Promise<boolean>;
}

/**
 * Runs many instant queries in parallel with a concurrency limit and a per-query timeout; one
 * failure never fails the others. Never rejects: each key gets an outcome, in the input's order.
 */
export async function runInstantQueries<K extends string>(
  client: PrometheusClient,
  queries: ReadonlyMap<K, string>,
  options: RunInstantQueriesOptions = {},
): Promise<Map<K, QueryOutcome>> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const entries = [...queries];
  const outcomes: QueryOutcome[] = [];
  let next = 0;
  let silent = false;
  // One question at a time, shared by the failures that arrive while it is asked.
  let check: Promise<void> | undefined;
  const confirm = (stillAnswering: () => Promise<boolean>): Promise<void> =>
    (check ??= stillAnswering().then((ok) => {
      if (ok) check = undefined;
      else silent = true;
    }));
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      if (silent) {
        outcomes[index] = { ok: false, error: NOT_SENT, ms: 0, unreachable: true };
        continue;
      }
      const outcome = await runOne(client, entries[index]![1], options);
      outcomes[index] = outcome;
      if (!outcome.ok && outcome.unreachable && options.stillAnswering !== undefined) {
        await confirm(options.stillAnswering);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  return new Map(entries.map(([key], index) => [key, outcomes[index]!]));
}

async function runOne(
  client: PrometheusClient,
  query: string,
  options: RunInstantQueriesOptions,
): Promise<QueryOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const samples = await client.instant(query, {
      time: options.time,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return { ok: true, samples, ms: elapsed() };
  } catch (err) {
    const unreachable =
      err instanceof PrometheusError && (err.failure === 'timeout' || err.failure === 'network');
    return { ok: false, error: errorMessage(err), ms: elapsed(), unreachable };
  }
}

const NOT_SENT = 'not sent: Prometheus stopped answering during this collection';

export interface QueryOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Runs an instant PromQL query against an unauthenticated Prometheus and returns its vector. */
export async function instantQuery(
  baseUrl: string,
  query: string,
  options: QueryOptions = {},
): Promise<VectorSample[]> {
  return new PrometheusClient({ baseUrl }).instant(query, options);
}

/** True when Prometheus answers its readiness endpoint (default timeout 2 s); never throws. */
export async function isPrometheusReady(
  baseUrl: string,
  options: QueryOptions = {},
): Promise<boolean> {
  let client: PrometheusClient;
  try {
    client = new PrometheusClient({ baseUrl });
  } catch {
    return false;
  }
  return client.ready({ timeoutMs: options.timeoutMs ?? 2_000 });
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `Prometheus URL is not a valid URL: ${redactUrlUserinfo(raw, REDACTED)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `Prometheus URL must be http or https, got ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Node's fetch refuses such URLs, and the URL would carry the password into messages.
    throw new HeadwayError(ErrorCode.ConfigInvalid, 'Prometheus URL must not contain credentials', {
      hint: 'remove user:password@ from the URL and use basic auth instead',
    });
  }
  if (url.search !== '' || url.hash !== '') {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `Prometheus URL must not have a query string or fragment: ${url.origin}${url.pathname}`,
    );
  }
  return url;
}

function checkTimeout(ms: number): number {
  if (!(Number.isFinite(ms) && ms > 0)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${ms}`);
  }
  return Math.ceil(ms);
}

/** Unix seconds with millisecond precision, as the API takes them. */
function formatTime(date: Date, name: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a valid date`);
  return (ms / 1000).toFixed(3);
}

/**
 * Node's fetch rejects with "fetch failed" and hides the reason in `cause` (ECONNREFUSED,
 * ENOTFOUND…); for a host with several addresses the cause is an AggregateError with only a code.
 */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const code = errnoCode(cause) ?? errnoCode(err);
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (code === undefined) return detail === '' ? errorMessage(err) : detail;
  if (detail === '' || detail === code) return code;
  return detail.includes(code) ? detail : `${code}: ${detail}`;
}

function errnoCode(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}
