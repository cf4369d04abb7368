import { isHeadwayError } from '../errors.js';

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

/**
 * Replaces what may be a secret in an error message: credentials in URLs, `password=` style
 * pairs, bearer tokens, and the configured API token.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)[^\s&;,]+/gi, '$1$2***')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***');
  for (const s of secrets) if (s !== '') out = out.split(s).join('***');
  return out;
}

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
