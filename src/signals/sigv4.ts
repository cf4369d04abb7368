// Thin adapter, not a signer: maps one fetch-style request (URL, string body) onto @smithy/signature-v4.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * AWS Signature Version 4 for one HTTP request, signed by the AWS SDK's own signer. Enough for
 * Amazon Managed Prometheus (service `aps`) and any other AWS API that takes a signed header: the
 * request is described by method, URL, the headers to sign and the exact body that will be sent.
 */

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
  /** The hex signature, also the tail of `authorization`; a per-request secret for redaction. */
  readonly signature: string;
}

/** Signs a request and returns the headers to send with it. The clock is an input. */
export async function signRequest(
  request: SigV4Request,
  options: SigV4Options,
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    applyChecksum: options.contentSha256Header ?? true,
  });
  const given: Record<string, string> = { host: request.url.host };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    given[name.toLowerCase()] = value;
  }
  const signed = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      path: request.url.pathname,
      query: queryBag(request.url.searchParams),
      headers: { ...given },
      body: request.body,
    },
    { signingDate: options.now },
  );
  // Only what the signer added: the caller already sends host and its own headers.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (!(name in given)) headers[name] = value;
  }
  const signature = /Signature=([0-9a-f]+)$/.exec(headers.authorization ?? '')?.[1] ?? '';
  return { headers, signature };
}

/** Repeated query names become a list, as the signer sorts and signs every value. */
function queryBag(params: URLSearchParams): Record<string, string | string[]> {
  const bag: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    bag[name] = values.length === 1 ? values[0]! : values;
  }
  return bag;
}
