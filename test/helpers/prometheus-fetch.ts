import { expect } from 'vitest';

import {
  PrometheusClient,
  PrometheusError,
  type PrometheusClientOptions,
} from '../../src/signals/prometheus-client.js';

export interface Recorded {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly redirect: RequestInit['redirect'];
}

/** A fetch that records each request and answers with `handler`; no sockets. */
export function fakeFetch(handler: (request: Recorded) => Response | Promise<Response>): {
  fetch: typeof fetch;
  calls: Recorded[];
} {
  const calls: Recorded[] = [];
  const fetchImpl = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request: Recorded = {
      url: input instanceof URL ? input.href : typeof input === 'string' ? input : input.url,
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string> | undefined) },
      body: init?.body as string | undefined,
      signal: init?.signal ?? undefined,
      redirect: init?.redirect,
    };
    calls.push(request);
    return Promise.resolve(handler(request));
  };
  return { fetch: fetchImpl, calls };
}

/** A fetch that never answers and rejects when its signal aborts, as Node's fetch does. */
export const hangingFetch = ((_input: Parameters<typeof fetch>[0], init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init?.signal;
    if (signal?.aborted === true) reject(signal.reason as Error);
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  })) as typeof fetch;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function vector(
  result: { metric: Record<string, string>; value: [number, string] }[],
): Response {
  return json({ status: 'success', data: { resultType: 'vector', result } });
}

export function client(
  fetchImpl: typeof fetch,
  options: Partial<PrometheusClientOptions> = {},
): PrometheusClient {
  return new PrometheusClient({ baseUrl: 'http://prom.test:9090', fetch: fetchImpl, ...options });
}

export async function rejection(promise: Promise<unknown>): Promise<PrometheusError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PrometheusError);
  return err as PrometheusError;
}
