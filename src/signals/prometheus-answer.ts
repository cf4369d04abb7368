/** The Prometheus HTTP API's answers, decoded into samples and series. */

const BODY_SNIPPET_CHARS = 200;

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  /**
   * The sample value. Prometheus's `NaN`, `+Inf` and `-Inf` are returned as the numbers `NaN`,
   * `Infinity` and `-Infinity`; the caller decides what they mean (for example a rate over zero
   * requests is `NaN`, not zero).
   */
  readonly value: number;
  /** Unix time in seconds (fractional). */
  readonly timestamp: number;
}

export interface RangePoint {
  /** Unix time in seconds (fractional). */
  readonly timestamp: number;
  /** As `VectorSample.value`: `NaN` and `±Infinity` are kept. */
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly RangePoint[];
}

/** A Prometheus answer that is JSON but not of the shape the API documents. */
export class MalformedResponse extends Error {}

export function decodeInstant(data: Record<string, unknown>): VectorSample[] {
  const result = data.result;
  switch (data.resultType) {
    case 'vector':
      if (!Array.isArray(result)) throw new MalformedResponse('a vector result that is not a list');
      return result.map((sample) => {
        if (!isRecord(sample)) throw new MalformedResponse('a vector sample that is not an object');
        const [timestamp, value] = decodePoint(sample.value);
        return { metric: decodeLabels(sample.metric), value, timestamp };
      });
    case 'scalar': {
      const [timestamp, value] = decodePoint(result);
      return [{ metric: {}, value, timestamp }];
    }
    default:
      throw new MalformedResponse(
        `a ${String(data.resultType)} result; an instant query needs a vector or a scalar`,
      );
  }
}

export function decodeMatrix(data: Record<string, unknown>): RangeSeries[] {
  if (data.resultType !== 'matrix') {
    throw new MalformedResponse(
      `a ${String(data.resultType)} result; a range query needs a matrix`,
    );
  }
  if (!Array.isArray(data.result))
    throw new MalformedResponse('a matrix result that is not a list');
  return data.result.map((series) => {
    if (!isRecord(series) || !Array.isArray(series.values)) {
      throw new MalformedResponse('a series without a list of values');
    }
    return {
      metric: decodeLabels(series.metric),
      values: series.values.map((point) => {
        const [timestamp, value] = decodePoint(point);
        return { timestamp, value };
      }),
    };
  });
}

function decodePoint(raw: unknown): [number, number] {
  if (!Array.isArray(raw) || typeof raw[0] !== 'number') {
    throw new MalformedResponse(
      'a sample that is not [time, "value"] (native histograms are not supported)',
    );
  }
  const value = parseSampleValue(raw[1]);
  if (value === undefined) {
    throw new MalformedResponse(`a sample value that is not a number: ${JSON.stringify(raw[1])}`);
  }
  return [raw[0], value];
}

/**
 * Prometheus encodes sample values as strings, with `NaN`, `+Inf` and `-Inf` for the specials;
 * `Number('+Inf')` would be `NaN`. Undefined for anything that is not such a string.
 */
export function parseSampleValue(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      const value = Number(raw);
      return Number.isNaN(value) ? undefined : value;
    }
  }
}

function decodeLabels(raw: unknown): Readonly<Record<string, string>> {
  if (raw === undefined) return {};
  if (!isRecord(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new MalformedResponse('labels that are not an object of strings');
  }
  return raw as Record<string, string>;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short description of a non-Prometheus error body (AMP and API gateways send `message`). */
export function describeBody(body: unknown, text: string): string {
  if (isRecord(body) && typeof body.message === 'string') return body.message;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_SNIPPET_CHARS ? `${flat.slice(0, BODY_SNIPPET_CHARS)}…` : flat;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
