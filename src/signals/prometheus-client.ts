export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  /** Parsed sample value; `NaN`/`±Inf` are kept as numbers for the caller to judge. */
  readonly value: number;
  readonly timestamp: number;
}

export interface QueryOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface ApiResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
}

/** Runs an instant PromQL query against the Prometheus HTTP API and returns its vector. */
export async function instantQuery(
  baseUrl: string,
  query: string,
  options: QueryOptions = {},
): Promise<VectorSample[]> {
  const url = new URL('/api/v1/query', baseUrl);
  url.searchParams.set('query', query);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5_000);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const response = await fetch(url, { signal });
  const body = (await response.json()) as ApiResponse;
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(
      `prometheus query failed: ${body.errorType ?? response.status}: ${body.error ?? ''}`,
    );
  }
  if (body.data.resultType !== 'vector') {
    throw new Error(`prometheus query returned ${body.data.resultType}, expected a vector`);
  }
  return body.data.result.map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
    timestamp: r.value[0],
  }));
}

/** True when Prometheus answers its readiness endpoint. */
export async function isPrometheusReady(
  baseUrl: string,
  options: QueryOptions = {},
): Promise<boolean> {
  try {
    const response = await fetch(new URL('/-/ready', baseUrl), {
      signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
