import { describe, expect, it } from 'vitest';

import {
  canonicalRequest,
  deriveSigningKey,
  sha256Hex,
  signRequest,
  stringToSign,
  toAmzDate,
} from './sigv4.js';

// AWS's published example credentials (not a real key).
const EXAMPLE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const AT = new Date('2015-08-30T12:36:00Z');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The worked example of the AWS General Reference "Signature Version 4 signing process" (IAM
 * ListUsers, us-east-1, 2015-08-30): Task 1 "Create a canonical request" gives the request, Task 2
 * "Create a string to sign" its string to sign, Task 4 "Add the signature to the HTTP request" the
 * finished Authorization header.
 *   https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html
 *   https://docs.aws.amazon.com/general/latest/gr/sigv4-create-string-to-sign.html
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

  it('builds the documented canonical request', () => {
    const { text, signedHeaders } = canonicalRequest({
      method: 'GET',
      url: request.url,
      headers: {
        host: 'iam.amazonaws.com',
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Amz-Date': '20150830T123600Z',
      },
      payloadHash: sha256Hex(''),
    });
    expect(text).toBe(
      [
        'GET',
        '/',
        'Action=ListUsers&Version=2010-05-08',
        'content-type:application/x-www-form-urlencoded; charset=utf-8',
        'host:iam.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signedHeaders).toBe('content-type;host;x-amz-date');
    expect(sha256Hex(text)).toBe(
      'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
  });

  it('builds the documented string to sign', () => {
    const signed = signRequest(request, options);
    expect(signed.stringToSign).toBe(
      [
        'AWS4-HMAC-SHA256',
        '20150830T123600Z',
        '20150830/us-east-1/iam/aws4_request',
        'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
      ].join('\n'),
    );
    expect(
      stringToSign(
        '20150830T123600Z',
        '20150830/us-east-1/iam/aws4_request',
        signed.canonicalRequest,
      ),
    ).toBe(signed.stringToSign);
  });

  it('produces the documented signature and Authorization header', () => {
    const signed = signRequest(request, options);
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
 * Cases from AWS's "Signature Version 4 test suite" (AWS General Reference; the .req / .creq / .sts /
 * .authz files, copied verbatim by several SDKs, e.g. bazelbuild/bazel third_party/aws-sig-v4-test-suite).
 */
describe('SigV4 known answer: the AWS test suite', () => {
  it('post-x-www-form-urlencoded: a signed form body, as the Prometheus client sends', () => {
    const signed = signRequest(
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
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        '',
        'content-type:application/x-www-form-urlencoded',
        'host:example.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
      ].join('\n'),
    );
    expect(signed.stringToSign.split('\n').at(-1)).toBe(
      '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
  });

  it('post-sts-header-before: a session token is sent and signed as x-amz-security-token', () => {
    const sessionToken =
      'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP' +
      'fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W' +
      'Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FD' +
      'rypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
    const signed = signRequest(
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
    expect(signed.canonicalRequest).toContain(`\nx-amz-security-token:${sessionToken}\n`);
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date;x-amz-security-token, ' +
        'Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
    );
  });
});

describe('signRequest', () => {
  it('signs x-amz-content-sha256 by default, with the hash of the exact body', () => {
    const body = 'query=up&timeout=5000ms';
    const signed = signRequest(
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
    expect(signed.canonicalRequest.split('\n').slice(0, 3)).toEqual([
      'POST',
      '/workspaces/ws-1/api/v1/query',
      '',
    ]);
  });

  it('changes the signature when the body changes', () => {
    const sign = (body: string) =>
      signRequest(
        { method: 'POST', url: new URL('https://example.amazonaws.com/'), body },
        { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now: AT },
      ).signature;
    expect(sign('query=up')).not.toBe(sign('query=down'));
  });

  it('puts the port in the signed host header, as fetch sends it', () => {
    const signed = signRequest(
      { method: 'GET', url: new URL('http://127.0.0.1:9090/-/ready') },
      { region: 'us-east-1', service: 'aps', credentials: EXAMPLE, now: AT },
    );
    expect(signed.canonicalRequest).toContain('\nhost:127.0.0.1:9090\n');
  });

  it('encodes path segments once more and sorts the query string', () => {
    const { text } = canonicalRequest({
      method: 'get',
      url: new URL('https://example.amazonaws.com/a b/c?z=1&a=2&a=1&sp=x y'),
      headers: { host: 'example.amazonaws.com', 'X-Spaced': '  a   b  ' },
      payloadHash: EMPTY_SHA256,
    });
    const [method, path, query, firstHeader, secondHeader] = text.split('\n');
    expect(method).toBe('GET');
    expect(path).toBe('/a%2520b/c');
    expect(query).toBe('a=1&a=2&sp=x%20y&z=1');
    expect(firstHeader).toBe('host:example.amazonaws.com');
    expect(secondHeader).toBe('x-spaced:a b');
  });

  it('derives the signing key from the date, region and service', () => {
    const a = deriveSigningKey(EXAMPLE.secretAccessKey, '20150830', 'us-east-1', 'aps');
    expect(a).toHaveLength(32);
    expect(
      a.equals(deriveSigningKey(EXAMPLE.secretAccessKey, '20150831', 'us-east-1', 'aps')),
    ).toBe(false);
  });

  it('formats the amz date in UTC without separators or milliseconds', () => {
    expect(toAmzDate(new Date('2024-02-29T23:59:58.999Z'))).toBe('20240229T235958Z');
  });
});
