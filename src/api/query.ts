import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import { z } from 'zod';

/**
 * Query parameters of the API, validated at the door by Hono's validator with zod. Unknown
 * parameters are ignored; a repeated one counts with its first value.
 */

export const DEFAULT_ISSUE_LIMIT = 10;
export const MAX_ISSUE_LIMIT = 100;
export const DEFAULT_TIMELINE_HOURS = 24;
export const MAX_TIMELINE_DAYS = 31;

/** One bad parameter, as a 400 answer lists it. */
export interface Problem {
  readonly parameter: string;
  readonly message: string;
}

export const IssuesQuerySchema = z.object({
  severity: z
    .enum(['critical', 'warning', 'info'], { error: 'must be critical, warning or info' })
    .optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, `must be a whole number from 1 to ${String(MAX_ISSUE_LIMIT)}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `must be a whole number from 1 to ${String(MAX_ISSUE_LIMIT)}`)
        .max(MAX_ISSUE_LIMIT, `must be a whole number from 1 to ${String(MAX_ISSUE_LIMIT)}`),
    )
    .default(DEFAULT_ISSUE_LIMIT),
});
export type IssuesQuery = z.infer<typeof IssuesQuerySchema>;

const DEFAULT_HISTORY_MINUTES = 60;
const MAX_HISTORY_MINUTES = 1440;
const minutesMessage = `must be a whole number of minutes from 1 to ${String(MAX_HISTORY_MINUTES)}`;

export const HistoryQuerySchema = z.object({
  minutes: z
    .string()
    .regex(/^[0-9]{1,4}$/, minutesMessage)
    .transform(Number)
    .pipe(z.number().min(1, minutesMessage).max(MAX_HISTORY_MINUTES, minutesMessage))
    .default(DEFAULT_HISTORY_MINUTES),
});

/**
 * ISO-8601 date-time with an offset (`Z` or `±hh:mm`): what Grafana's `${__from:date:iso}` gives. A
 * time without an offset is refused rather than guessed in the server's zone.
 */
const isoTime = z
  .string()
  // An unencoded `+` in a query string arrives as a space.
  .transform((s) => s.replace(/ (\d{2}:?\d{2})$/, '+$1'))
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s) &&
      !Number.isNaN(Date.parse(s)),
    { message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-02-23T18:50:00Z' },
  )
  .transform((s) => new Date(s))
  // Year 0000 parses, but the store has no year 0: out-of-range input is the caller's error (400),
  // not a store outage (503). No copilot record predates 1970.
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, {
    message: 'must be between 1970 and 9999',
  });

const TimelineRawSchema = z.object({ start: isoTime.optional(), end: isoTime.optional() });

export interface TimelineQuery {
  readonly start: Date;
  readonly end: Date;
}

/**
 * `start`/`end` of `/status/timeline`: by default `end` is now and `start` 24 h before `end`.
 * `now` is read when a request is validated.
 */
export function timelineQuerySchema(now: () => Date) {
  return TimelineRawSchema.transform((raw, ctx): TimelineQuery => {
    const end = raw.end ?? now();
    const start = raw.start ?? new Date(end.getTime() - DEFAULT_TIMELINE_HOURS * 3_600_000);
    const invalid = (parameter: string, message: string) => {
      ctx.issues.push({ code: 'custom', path: [parameter], message, input: raw });
      return z.NEVER;
    };
    if (end.getTime() <= start.getTime()) {
      return raw.end === undefined
        ? invalid('start', 'must be in the past when end is not given')
        : invalid('end', 'must be after start');
    }
    if (end.getTime() - start.getTime() > MAX_TIMELINE_DAYS * 86_400_000) {
      return invalid(
        'start',
        `the range from start to end must be at most ${String(MAX_TIMELINE_DAYS)} days`,
      );
    }
    return { start, end };
  });
}

/** `?cluster=`: a cluster name as the config spells them (whether it is known is checked after). */
export const ClusterParamSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]{1,64}$/,
    'must be a cluster name: 1–64 letters, digits, dots, dashes or underscores',
  );

/** The 400 answer listing every bad parameter. */
export function badRequest(c: Context, problems: readonly Problem[]): Response {
  return c.json(
    {
      error: 'bad_request',
      message: `invalid query parameter${problems.length === 1 ? '' : 's'}: ${[...new Set(problems.map((p) => p.parameter))].join(', ')}`,
      problems,
    },
    400,
  );
}

/**
 * Middleware validating the query string with `schema`; the handler reads the result with
 * `c.req.valid('query')`, and a bad query is answered with `badRequest`.
 */
export function validQuery<T>(schema: z.ZodType<T>) {
  return zValidator('query', z.preprocess(firstValues, schema), refuse);
}

interface Issues {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

function refuse(result: { readonly success: boolean; readonly error?: Issues }, c: Context) {
  return result.success || result.error === undefined
    ? undefined
    : badRequest(c, problemsOf(result.error));
}

/** Hono's validator hands a repeated parameter over as an array; `c.req.query()` took the first. */
function firstValues(query: Readonly<Record<string, string | string[]>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : (v[0] ?? '')]),
  );
}

function problemsOf(error: Issues): Problem[] {
  return error.issues.map((i) => ({
    parameter: i.path.map(String).join('.') || '(query)',
    message: i.message,
  }));
}
