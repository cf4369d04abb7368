import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { signRequest } from './sigv4.js';

// AWS's published example credentials (not a real key).
const EXAMPLE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const AT = new Date('2015-08-30T12:36:00Z');
const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');

/**
 * The worked example of the AWS General Reference "Signature Version 4 signing process" (IAM
 * ListUsers, us-east-1, 2015-08-30): Task 4 "Add the signature to the HTTP request" gives the
 * finished Authorization header for the request of Task 1.
 *   https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html
 *   https://docs.aws.amazon.com/general/latest/gr/sigv4-add-signature-to-request.html
 */
describe('SigV4 known answer: the AWS documentation example (IAM ListUsers)', () => {
  const request = {
    method: 'GET',
    url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
  };
  const options = {
    region: 'us-east-1',
    service: 'iam',
    credentials: EXAMPLE,
    now: AT,
    // The example predates x-amz-content-sha256; its signed headers are content-type;host;x-amz-date.
    contentSha256Header: false,
  };

  it('produces the documented signature and Authorization header', async () => {
    const signed = await signRequest(request, options);
    expect(signed.signature).toBe(
      '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    expect(signed.headers).toEqual({
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    });
  });
});

/**
 * Cases from AWS's "Signature Version 4 test suite" (AWS General Reference; the .req / .authz files,
 * copied verbatim by several SDKs, e.g. bazelbuild/bazel third_party/aws-sig-v4-test-suite).
 */
describe('SigV4 known answer: the AWS test suite', () => {
  it('post-x-www-form-urlencoded: a signed form body, as the Prometheus client sends', async () => {
    const signed = await signRequest(
      {
        method: 'POST',
        url: new URL('https://example.amazonaws.com/'),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'Param1=value1',
      },
      {
        region: 'us-east-1',
        service: 'service',
        credentials: EXAMPLE,
        now: AT,
        contentSha256Header: false,
      },
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
  });

  it('post-sts-header-before: a session token is sent and signed as x-amz-security-token', async () => {
    const sessionToken =
      'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP' +
      'fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W' +
      'Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FD' +
      'rypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
    const signed = await signRequest(
      { method: 'POST', url: new URL('https://example.amazonaws.com/') },
      {
        region: 'us-east-1',
        service: 'service',
        credentials: { ...EXAMPLE, sessionToken },
        now: AT,
        contentSha256Header: false,
      },
    );
    expect(signed.headers['x-amz-security-token']).toBe(sessionToken);
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date;x-amz-security-token, ' +
        'Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
    );
  });
});

/**
 * Known answers for the Prometheus client's own request shapes. The signatures were produced by the
 * hand-written signer this module replaced (itself checked against the AWS cases above), so they pin
 * that the SDK signer sends the same headers.
 */
describe('signRequest', () => {
  it('signs x-amz-content-sha256 by default, with the hash of the exact body', async () => {
    const body = 'query=up&timeout=5000ms';
    const signed = await signRequest(
      {
        method: 'POST',
        url: new URL('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/query'),
        body,
      },
      { region: 'eu-west-1', service: 'aps', credentials: EXAMPLE, now: AT },
    );
    expect(signed.headers['x-amz-content-sha256']).toBe(sha256Hex(body));
    expect(signed.headers.authorization).toContain(
      'Credential=AKIDEXAMPLE/20150830/eu-west-1/aps/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=',
    );
    expect(signed.signature).toBe(
      '9954e9d50d422c5193ae8134c024cc9505c5153b37a8ab1763f7c19ab16aa7a4',
    );
  });

  it('changes the signature when the body changes', async () => {
    const sign = async (body: string) =>
      (
        await signRequest(
          { method: 'POST', url: new URL('https://example.amazonaws.com/'), body },
          { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now: AT },
        )
      ).signature;
    expect(await sign('query=up')).not.toBe(await sign('query=down'));
  });

  it('puts the port in the signed host header, as fetch sends it', async () => {
    const sign = async (url: string) =>
      (
        await signRequest(
          { method: 'GET', url: new URL(url) },
          { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now: AT },
        )
      ).signature;
    expect(await sign('http://127.0.0.1:9090/-/ready')).toBe(
      'cbc8d3a69459c233101308eaa9f02fc6617cf83af11b4c8628766919bcaa2b8a',
    );
    expect(await sign('http://127.0.0.1/-/ready')).toBe(
      'f1e9dbeb3aa373b968eacdc3c23df859faddcac0064f5db19fece4aae051f21d',
    );
  });

  it('encodes path segments once more and sorts the query string', async () => {
    const signed = await signRequest(
      {
        method: 'get',
        url: new URL('https://example.amazonaws.com/a b/c?z=1&a=2&a=1&sp=x y'),
        headers: { 'X-Spaced': '  a   b  ' },
      },
      { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now: AT },
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aps/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-spaced, ' +
        'Signature=9bf6425133f330a03774c30af7893331f11ead4b880f7dc58b0291db4bc73f55',
    );
  });

  it('changes the signature with the day (the signing key is per date, region and service)', async () => {
    const sign = async (now: Date) =>
      (
        await signRequest(
          { method: 'GET', url: new URL('https://example.amazonaws.com/') },
          { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now },
        )
      ).signature;
    expect(await sign(new Date('2015-08-30T00:00:00Z'))).not.toBe(
      await sign(new Date('2015-08-31T00:00:00Z')),
    );
  });

  it('formats x-amz-date in UTC without separators or milliseconds', async () => {
    const signed = await signRequest(
      { method: 'GET', url: new URL('https://example.amazonaws.com/') },
      {
        region: 'us-east-1',
        service: 'aps',
        credentials: EXAMPLE,
        now: new Date('2024-02-29T23:59:58.999Z'),
      },
    );
    expect(signed.headers['x-amz-date']).toBe('20240229T235958Z');
  });
});
