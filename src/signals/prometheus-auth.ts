import { ErrorCode, HeadwayError } from '../errors.js';

import { signRequest, type AwsCredentials } from './sigv4.js';

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
      /** Default: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from `env`. */
      readonly credentials?: AwsCredentials;
    };

const DEFAULT_SIGV4_SERVICE = 'aps';

export interface CompiledAuth {
  readonly headers: (method: string, url: URL, body: string | undefined) => Record<string, string>;
  readonly secrets: readonly string[];
}

export function compileAuth(
  auth: PrometheusAuth,
  env: Readonly<Record<string, string | undefined>>,
  now: () => Date,
): CompiledAuth {
  switch (auth.type) {
    case 'none':
      return { headers: () => ({}), secrets: [] };
    case 'bearer': {
      const header = `Bearer ${auth.token}`;
      return { headers: () => ({ authorization: header }), secrets: nonEmpty([auth.token]) };
    }
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return {
        headers: () => ({ authorization: `Basic ${encoded}` }),
        secrets: nonEmpty([auth.password, encoded]),
      };
    }
    case 'sigv4': {
      const credentials = auth.credentials ?? credentialsFromEnv(env);
      const service = auth.service ?? DEFAULT_SIGV4_SERVICE;
      return {
        headers: (method, url, body) =>
          signRequest(
            { method, url, ...(body === undefined ? {} : { body }) },
            { region: auth.region, service, credentials, now: now() },
          ).headers,
        secrets: nonEmpty([credentials.secretAccessKey, credentials.sessionToken]),
      };
    }
    default:
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        `unknown Prometheus auth type: ${String((auth as { type: unknown }).type)}`,
      );
  }
}

function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  const missing = [
    ...(accessKeyId === undefined || accessKeyId === '' ? ['AWS_ACCESS_KEY_ID'] : []),
    ...(secretAccessKey === undefined || secretAccessKey === '' ? ['AWS_SECRET_ACCESS_KEY'] : []),
  ];
  if (accessKeyId === undefined || secretAccessKey === undefined || missing.length > 0) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `SigV4 auth for Prometheus needs AWS credentials: ${missing.join(' and ')} not set`,
      { hint: 'set them (and AWS_SESSION_TOKEN for temporary credentials) or pass credentials' },
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken }),
  };
}

function nonEmpty(values: readonly (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined && v !== '');
}
