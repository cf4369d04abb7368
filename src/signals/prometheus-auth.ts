import { ErrorCode, HeadwayError } from '../errors.js';

import type { AwsCredentials } from './sigv4.js';

/** How the Prometheus client authenticates, and which secrets its redaction must know. */
export type PrometheusAuth =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | {
      readonly type: 'sigv4';
      readonly region: string;
      /** Default `aps` (Amazon Managed Prometheus). */
      readonly service?: string;
      /**
       * Default: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from `env`, else the
       * AWS SDK's default credential chain (profiles, SSO, instance and container roles).
       */
      readonly credentials?: AwsCredentials;
    };

const DEFAULT_SIGV4_SERVICE = 'aps';

/** How many recent SigV4 signatures redaction keeps: more than the requests ever in flight at once. */
const REMEMBERED_SIGNATURES = 64;
const REMEMBERED_KEYS = 8;

type Env = Readonly<Record<string, string | undefined>>;

export interface CompiledAuth {
  readonly headers: (
    method: string,
    url: URL,
    body: string | undefined,
  ) => Promise<Record<string, string>>;
  /** What redaction must hide. SigV4 adds its keys once resolved, and each request's signature. */
  readonly secrets: readonly string[];
}

export function compileAuth(auth: PrometheusAuth, env: Env, now: () => Date): CompiledAuth {
  switch (auth.type) {
    case 'none':
      return { headers: () => Promise.resolve({}), secrets: [] };
    case 'bearer': {
      const header = `Bearer ${auth.token}`;
      return {
        headers: () => Promise.resolve({ authorization: header }),
        secrets: nonEmpty([auth.token]),
      };
    }
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return {
        headers: () => Promise.resolve({ authorization: `Basic ${encoded}` }),
        secrets: nonEmpty([auth.password, encoded]),
      };
    }
    case 'sigv4':
      return compileSigV4(auth, env, now);
    default:
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        `unknown Prometheus auth type: ${String((auth as { type: unknown }).type)}`,
      );
  }
}

function compileSigV4(
  auth: Extract<PrometheusAuth, { type: 'sigv4' }>,
  env: Env,
  now: () => Date,
): CompiledAuth {
  const service = auth.service ?? DEFAULT_SIGV4_SERVICE;
  const keys: string[] = [];
  const signatures: string[] = [];
  const secrets: string[] = [];
  const remember = (credentials?: AwsCredentials): void => {
    for (const key of nonEmpty([credentials?.secretAccessKey, credentials?.sessionToken])) {
      if (!keys.includes(key)) keys.push(key);
    }
    // The chain's keys rotate; a long-running process keeps the latest few sets, not every one.
    if (keys.length > REMEMBERED_KEYS) keys.splice(0, keys.length - REMEMBERED_KEYS);
    secrets.splice(0, secrets.length, ...keys, ...signatures);
  };
  const source = credentialSource(auth.credentials, env);
  // Keys known now are redacted from the start; the SDK chain's once it has resolved them.
  if (typeof source !== 'function') remember(source);
  const resolve = typeof source === 'function' ? source : () => Promise.resolve(source);
  return {
    headers: async (method, url, body) => {
      const credentials = await resolve();
      remember(credentials);
      // The AWS signer loads only for Amazon Managed Prometheus (~12 MB the others never need).
      const { signRequest } = await import('./sigv4.js');
      const signed = await signRequest(
        { method, url, ...(body === undefined ? {} : { body }) },
        { region: auth.region, service, credentials, now: now() },
      );
      signatures.push(signed.signature);
      if (signatures.length > REMEMBERED_SIGNATURES) signatures.shift();
      remember();
      return { ...signed.headers };
    },
    secrets,
  };
}

/**
 * Given credentials, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) from
 * `env`, checked now; else the AWS SDK's default chain (profiles, SSO, instance and container
 * roles), resolved on the first request and refreshed by the SDK.
 */
function credentialSource(
  given: AwsCredentials | undefined,
  env: Env,
): AwsCredentials | (() => Promise<AwsCredentials>) {
  if (given !== undefined) return given;
  if (isSet(env.AWS_ACCESS_KEY_ID) || isSet(env.AWS_SECRET_ACCESS_KEY)) {
    return credentialsFromEnv(env);
  }
  let chain: Promise<() => Promise<AwsCredentials>> | undefined;
  return async () => {
    // Loaded on first use: only SigV4 without keys in the env needs the SDK's provider chain.
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    try {
      const provider = await chain;
      return await provider();
    } catch (err) {
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        `SigV4 auth for Prometheus needs AWS credentials: none found (${firstLine(err)})`,
        {
          hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), an AWS profile or SSO login, or an instance role',
          cause: err,
        },
      );
    }
  };
}

function credentialsFromEnv(env: Env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  const missing = [
    ...(isSet(accessKeyId) ? [] : ['AWS_ACCESS_KEY_ID']),
    ...(isSet(secretAccessKey) ? [] : ['AWS_SECRET_ACCESS_KEY']),
  ];
  if (!isSet(accessKeyId) || !isSet(secretAccessKey)) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `SigV4 auth for Prometheus needs AWS credentials: ${missing.join(' and ')} not set`,
      { hint: 'set them (and AWS_SESSION_TOKEN for temporary credentials) or pass credentials' },
    );
  }
  return { accessKeyId, secretAccessKey, ...(isSet(sessionToken) ? { sessionToken } : {}) };
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n', 1)[0]!.trim();
}

function nonEmpty(values: readonly (string | undefined)[]): string[] {
  return values.filter(isSet);
}
