import { z } from 'zod';

/** Query parameters of the API, validated at the door. Unknown parameters are ignored. */

export const DEFAULT_ISSUE_LIMIT = 10;
export const MAX_ISSUE_LIMIT = 100;
export const DEFAULT_TIMELINE_HOURS = 24;
export const MAX_TIMELINE_DAYS = 31;

/** One bad parameter, as a 400 answer lists it. */
export interface Problem {
  readonly parameter: string;
  readonly message: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly Problem[] };

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
  .transform((s) => new Date(s));

const TimelineRawSchema = z.object({ start: isoTime.optional(), end: isoTime.optional() });

export interface TimelineQuery {
  readonly start: Date;
  readonly end: Date;
}

/** `start`/`end` of `/status/timeline`: by default `end` is now and `start` 24 h before `end`. */
export function parseTimelineQuery(
  query: Readonly<Record<string, string>>,
  now: Date,
): Parsed<TimelineQuery> {
  const raw = TimelineRawSchema.safeParse(query);
  if (!raw.success) return { ok: false, problems: problemsOf(raw.error) };
  const end = raw.data.end ?? now;
  const start = raw.data.start ?? new Date(end.getTime() - DEFAULT_TIMELINE_HOURS * 3_600_000);
  if (end.getTime() <= start.getTime()) {
    const problem =
      raw.data.end === undefined
        ? { parameter: 'start', message: 'must be in the past when end is not given' }
        : { parameter: 'end', message: 'must be after start' };
    return { ok: false, problems: [problem] };
  }
  if (end.getTime() - start.getTime() > MAX_TIMELINE_DAYS * 86_400_000) {
    return {
      ok: false,
      problems: [
        {
          parameter: 'start',
          message: `the range from start to end must be at most ${String(MAX_TIMELINE_DAYS)} days`,
        },
      ],
    };
  }
  return { ok: true, value: { start, end } };
}

export function parseQuery<T>(
  schema: z.ZodType<T>,
  query: Readonly<Record<string, string>>,
): Parsed<T> {
  const parsed = schema.safeParse(query);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: problemsOf(parsed.error) };
}

function problemsOf(error: z.ZodError): Problem[] {
  return error.issues.map((i) => ({
    parameter: i.path.map(String).join('.') || '(query)',
    message: i.message,
  }));
}
