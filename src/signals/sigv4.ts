import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for one HTTP request, with node:crypto only. Enough for Amazon Managed
 * Prometheus (service `aps`) and any other AWS API that takes a signed header: the request is
 * described by method, URL, the headers to sign and the exact body bytes that will be sent.
 *
 * Each step of the published algorithm is its own export so tests can check it against AWS's
 * worked example: canonical request → string to sign → signing key → signature → Authorization.
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary (STS) credentials; sent and signed as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export interface SigV4Request {
  readonly method: string;
  readonly url: URL;
  /** Extra headers to sign and send (for example `content-type`). `host` and `x-amz-*` are added. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body exactly as it will be sent; absent or empty for none. */
  readonly body?: string | Uint8Array;
}

export interface SigV4Options {
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
  /**
   * Also send (and sign) `x-amz-content-sha256`. AWS services accept it and some require it; AWS's
   * IAM worked example predates it, so the known-answer test turns it off. Default true.
   */
  readonly contentSha256Header?: boolean;
}

export interface SignedRequest {
  /** Headers to add to the request, lower-case names; includes `authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

/** Signs a request and returns the headers to send with it. Pure: the clock is an input. */
export function signRequest(request: SigV4Request, options: SigV4Options): SignedRequest {
  const amzDate = toAmzDate(options.now);
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(request.body ?? '');
  const { sessionToken } = options.credentials;

  const added: Record<string, string> = { 'x-amz-date': amzDate };
  if (options.contentSha256Header ?? true) added['x-amz-content-sha256'] = payloadHash;
  if (sessionToken !== undefined) added['x-amz-security-token'] = sessionToken;

  const signed: Record<string, string> = { host: request.url.host, ...added };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    signed[name.toLowerCase()] = value;
  }

  const canonical = canonicalRequest({
    method: request.method,
    url: request.url,
    headers: signed,
    payloadHash,
  });
  const scope = credentialScope(date, options.region, options.service);
  const toSign = stringToSign(amzDate, scope, canonical.text);
  const key = deriveSigningKey(
    options.credentials.secretAccessKey,
    date,
    options.region,
    options.service,
  );
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  const authorization =
    `${SIGV4_ALGORITHM} Credential=${options.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;

  return {
    headers: { ...added, authorization },
    canonicalRequest: canonical.text,
    stringToSign: toSign,
    signature,
  };
}

export interface CanonicalRequestInput {
  readonly method: string;
  readonly url: URL;
  /** Every header to sign, including `host`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case hex SHA-256 of the body. */
  readonly payloadHash: string;
}

/** Task 1: the canonical request, and the `;`-joined list of signed header names. */
export function canonicalRequest(input: CanonicalRequestInput): {
  text: string;
  signedHeaders: string;
} {
  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => compareCodeUnits(a, b));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const text = [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname),
    canonicalQueryString(input.url.searchParams),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { text, signedHeaders };
}

/** Task 2: the string to sign. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** Task 3: the signing key for one day, region and service. */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC. */
export function toAmzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The path as sent (already percent-encoded by URL), with each segment encoded once more: every
 * AWS service except S3 expects this double encoding.
 */
function canonicalUri(pathname: string): string {
  if (pathname === '') return '/';
  return pathname.split('/').map(uriEncode).join('/');
}

function canonicalQueryString(params: URLSearchParams): string {
  return [...params]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => compareCodeUnits(an, bn) || compareCodeUnits(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~`, upper-case hex. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
