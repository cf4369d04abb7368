/**
 * Retries what the server refuses for load rather than for cause: RESOURCE_EXHAUSTED (rate and
 * concurrency limits), UNAVAILABLE and DEADLINE_EXCEEDED. Jittered exponential backoff, so a
 * refused burst does not come back as one.
 */
import { grpcCode } from '../temporal/grpc.js';

/** gRPC codes worth asking again. */
const RETRYABLE = new Set([
  4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */,
]);

export function isRetryableLoadError(err: unknown): boolean {
  const code = grpcCode(err);
  return code !== undefined && RETRYABLE.has(code);
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Called before each retry (counts throttling in the results). */
  readonly onRetry?: (err: unknown) => void;
}

export async function retryThrottled<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= options.attempts || !isRetryableLoadError(err)) throw err;
      options.onRetry?.(err);
      const ceiling = Math.min(max, base * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}
