import { isHeadwayError } from '../errors.js';
import { redactSecrets } from '../log/redact.js';

/** The store could not be reached or a query failed: the API answers 503 and stays up. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('state store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** The reference's 503 body, also nested under `detail` as FastAPI's HTTPException produced it. */
export const STORE_UNAVAILABLE_BODY = (() => {
  const body = {
    error: 'State store unavailable',
    health_state: 'unknown',
    degraded: true,
  } as const;
  return { ...body, detail: body };
})();

/** What gets logged about an error: its kind and a redacted message chain, never the raw object. */
export function loggableError(
  err: unknown,
  secrets: readonly string[] = [],
): Record<string, unknown> {
  const chain: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && depth < 5; depth += 1) {
    if (e instanceof Error) {
      const code = isHeadwayError(e) ? ` [${e.code}]` : '';
      chain.push(`${e.name}${code}: ${redactSecrets(e.message, secrets)}`);
      e = e.cause;
    } else {
      chain.push(
        redactSecrets(typeof e === 'string' ? e : (JSON.stringify(e) ?? typeof e), secrets),
      );
      e = undefined;
    }
  }
  return { error: chain.join(' ← ') };
}
