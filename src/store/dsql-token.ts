import type { DsqlSignerConfig } from '@aws-sdk/dsql-signer';

/** How long a generated DSQL auth token is valid (the signer's own default). */
export const DEFAULT_TOKEN_TTL_MS = 15 * 60_000;
/** A cached token is replaced once it has less than this left. */
export const DEFAULT_RENEW_BEFORE_MS = 3 * 60_000;

export interface TokenCacheOptions {
  readonly generate: () => Promise<string>;
  /** How long a token is valid, counted from when its generation started. */
  readonly ttlMs?: number;
  readonly renewBeforeMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/**
 * A token source that generates a token only when the cached one is within `renewBeforeMs` of
 * expiring. Concurrent callers share one generation. A failed generation is not cached: the next
 * call tries again, and meanwhile a token that has not yet expired is still served, so a brief
 * credentials hiccup does not block new connections. An expired token is never served.
 */
export function createTokenCache(options: TokenCacheOptions): () => Promise<string> {
  const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  const renewBeforeMs = Math.min(options.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS, ttlMs);
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const generate = (): Promise<string> => {
    // Expiry counts from the start: the signer stamps the token with a time at or after this one.
    const startedAt = now();
    const generation = options
      .generate()
      .then((token) => {
        cached = { token, expiresAt: startedAt + ttlMs };
        return token;
      })
      .finally(() => {
        if (inFlight === generation) inFlight = undefined;
      });
    inFlight = generation;
    return generation;
  };

  return async () => {
    if (cached !== undefined && now() < cached.expiresAt - renewBeforeMs) return cached.token;
    const previous = cached;
    try {
      return await (inFlight ?? generate());
    } catch (err) {
      if (previous !== undefined && now() < previous.expiresAt) return previous.token;
      throw err;
    }
  };
}

export interface DsqlTokenGeneratorOptions {
  /** The cluster endpoint, e.g. abc123.dsql.us-east-1.on.aws. */
  readonly endpoint: string;
  readonly region: string;
  /** `admin` gets a DbConnectAdmin token; any other role a DbConnect token. */
  readonly user: string;
  readonly expiresInSeconds?: number;
  /** Default: the AWS SDK's credential chain (environment, profile, SSO, instance role…). */
  readonly credentials?: DsqlSignerConfig['credentials'];
}

/** Generates one IAM auth token for Aurora DSQL per call (signing is local: no network call). */
export function dsqlTokenGenerator(options: DsqlTokenGeneratorOptions): () => Promise<string> {
  let signer: Promise<{ admin: () => Promise<string>; user: () => Promise<string> }> | undefined;
  return async () => {
    // Loaded on first use: the AWS SDK is large, and PGlite and PostgreSQL users never need it.
    signer ??= import('@aws-sdk/dsql-signer').then(({ DsqlSigner }) => {
      const s = new DsqlSigner({
        hostname: options.endpoint,
        region: options.region,
        expiresIn: options.expiresInSeconds ?? DEFAULT_TOKEN_TTL_MS / 1000,
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      });
      return { admin: () => s.getDbConnectAdminAuthToken(), user: () => s.getDbConnectAuthToken() };
    });
    const s = await signer;
    return options.user === 'admin' ? s.admin() : s.user();
  };
}
