/**
 * The one place that decides what in a message, log line or URL may be a secret. Hand-written: the
 * rules are ours (configured secrets, the credential shapes our providers use), and pino's own
 * `redact` only knows object paths, not text.
 */

/** What a redacted secret reads as, unless a caller keeps its own marker (`[redacted]`). */
export const REDACTED = '***';

/** `scheme://user:password@`: the userinfo may hold `@` itself, never whitespace or `/`. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/]*@/gi;

/** `password=…`, `"api_key": "…"`, `Authorization: Bearer …` and the like. */
const SECRET_PAIR =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|x-api-key|authorization)("?\s*[=:]\s*"?)((?:Bearer|Basic)\s+)?[^\s&;,"]+/gi;

const AUTH_SCHEME_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Provider key shapes: OpenAI-style `sk-…`, AWS access key ids. */
const KEY_SHAPES = /\b(sk-[A-Za-z0-9_-]{8,}|AKIA[0-9A-Z]{16})\b/g;

/**
 * Removes what may be a secret from text: every configured secret wherever it appears (longest
 * first, so a secret that contains another is not left half-visible), then anything shaped like a
 * credential: URL userinfo, secret-named `key=value` pairs, bearer and basic tokens, provider keys.
 */
export function redactSecrets(
  text: string,
  secrets: readonly (string | undefined)[] = [],
  marker = REDACTED,
): string {
  let out = text;
  const known = secrets.filter((s): s is string => s !== undefined && s !== '');
  for (const s of known.sort((a, b) => b.length - a.length)) out = out.split(s).join(marker);
  return out
    .replace(URL_USERINFO, `$1${marker}@`)
    .replace(SECRET_PAIR, `$1$2$3${marker}`)
    .replace(AUTH_SCHEME_TOKEN, `$1 ${marker}`)
    .replace(KEY_SHAPES, marker);
}

/**
 * A string meant as one URL that may not parse: everything between `//` and the last `@` before
 * the path is userinfo, spaces included (a free-text rule would stop at a space and leak the rest).
 */
export function redactUrlUserinfo(raw: string, marker = REDACTED): string {
  return raw.replace(/\/\/[^/]*@/, `//${marker}@`);
}

/** Query parameters that carry a password or key in a connection URL. */
const SECRET_PARAMS = ['password', 'sslpassword', 'sslkey'];

/**
 * A connection URL fit for logs and errors: the password (in the userinfo or as a query parameter)
 * becomes `***`. A URL that does not parse keeps only its scheme, since where its password ends
 * cannot be known.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
    return scheme === undefined ? '<unparseable URL>' : `${scheme}://<unparseable URL>`;
  }
  if (parsed.password !== '') parsed.password = REDACTED;
  for (const key of SECRET_PARAMS) {
    if (parsed.searchParams.has(key)) parsed.searchParams.set(key, REDACTED);
  }
  // URLSearchParams re-encodes `***` as `%2A%2A%2A`; keep the marker readable.
  return parsed.toString().replaceAll('%2A%2A%2A', REDACTED);
}
