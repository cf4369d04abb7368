import { inspect } from 'node:util';

import { describe, expect, it, vi } from 'vitest';

import { HeadwayError } from '../errors.js';
import {
  client,
  fakeFetch,
  hangingFetch,
  rejection,
  vector,
  type Recorded,
} from '../../test/helpers/prometheus-fetch.js';

import type { PrometheusAuth } from './prometheus-auth.js';
import { PrometheusClient, runInstantQueries } from './prometheus-client.js';
import { signRequest } from './sigv4.js';

// The AWS SDK's default chain, stood in for: no test reads ~/.aws or asks an instance for a role.
const sdkChain = vi.hoisted(() => ({ resolve: vi.fn<() => Promise<unknown>>() }));
vi.mock('@aws-sdk/credential-provider-node', () => ({
  defaultProvider: () => sdkChain.resolve,
}));

describe('PrometheusClient auth', () => {
  const echoAll = (request: Recorded): Response =>
    // A hostile or chatty server that echoes every request header back in its error page.
    new Response(`bad request; you sent ${JSON.stringify(request.headers)}`, { status: 400 });

  it('sends no Authorization header without auth', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    await client(fetch).instant('up');
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('sends a bearer token', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    await client(fetch, { auth: { type: 'bearer', token: 't0ken' } }).instant('up');
    expect(calls[0]?.headers.authorization).toBe('Bearer t0ken');
  });

  it('sends basic credentials', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    await client(fetch, { auth: { type: 'basic', username: 'ann', password: 'pa:ss' } }).instant(
      'up',
    );
    expect(calls[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('ann:pa:ss').toString('base64')}`,
    );
  });

  it('signs with SigV4 using credentials from the env map, over the exact body sent', async () => {
    const { fetch, calls } = fakeFetch(() => vector([]));
    const now = new Date('2026-01-02T03:04:05Z');
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret/key',
      AWS_SESSION_TOKEN: 'session-token',
    };
    await client(fetch, {
      baseUrl: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
      auth: { type: 'sigv4', region: 'eu-west-1' },
      env,
      now: () => now,
    }).instant('up');
    const call = calls[0]!;
    const expected = await signRequest(
      { method: 'POST', url: new URL(call.url), body: call.body ?? '' },
      {
        region: 'eu-west-1',
        service: 'aps',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'secret/key',
          sessionToken: 'session-token',
        },
        now,
      },
    );
    expect(call.headers).toMatchObject(expected.headers);
    expect(call.headers.authorization).toContain(
      'Credential=AKIDEXAMPLE/20260102/eu-west-1/aps/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
    expect(call.headers['x-amz-date']).toBe('20260102T030405Z');
  });

  it('fails at construction when SigV4 has no credentials, naming the variables only', () => {
    const make = () =>
      new PrometheusClient({
        baseUrl: 'https://aps.test',
        auth: { type: 'sigv4', region: 'us-east-1' },
        env: { AWS_SECRET_ACCESS_KEY: 'do-not-print-me' },
      });
    expect(make).toThrow(
      'SigV4 auth for Prometheus needs AWS credentials: AWS_ACCESS_KEY_ID not set',
    );
    expect(make).toThrow(HeadwayError);
  });

  it('without keys in the env, signs with the AWS SDK chain and redacts what it resolved', async () => {
    sdkChain.resolve.mockResolvedValue({
      accessKeyId: 'AKIDCHAIN',
      secretAccessKey: 'chain-secret-key',
      sessionToken: 'chain-session-token',
    });
    const echoing = fakeFetch(
      // The signature first: the error quotes only the start of a long body.
      (request) =>
        new Response(`Signature ${request.headers.authorization?.slice(-64)} chain-secret-key`, {
          status: 400,
        }),
    );
    const c = client(echoing.fetch, { auth: { type: 'sigv4', region: 'eu-west-1' }, env: {} });
    const err = await rejection(c.instant('up'));
    const sent = echoing.calls[0]!.headers;
    expect(sent.authorization).toContain('Credential=AKIDCHAIN/');
    expect(sent['x-amz-security-token']).toBe('chain-session-token');
    const text = `${err.message} ${String(err.stack)}`;
    for (const secret of [
      'chain-secret-key',
      'chain-session-token',
      sent.authorization!.slice(-64),
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('without keys in the env or the AWS SDK chain, fails the request with the same error', async () => {
    sdkChain.resolve.mockRejectedValue(new Error('Could not load credentials from any providers'));
    const { fetch, calls } = fakeFetch(() => vector([]));
    const c = client(fetch, { auth: { type: 'sigv4', region: 'us-east-1' }, env: {} });
    const err: unknown = await c.instant('up').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).message).toBe(
      'SigV4 auth for Prometheus needs AWS credentials: none found (Could not load credentials from any providers)',
    );
    expect(calls).toHaveLength(0);
  });

  const secretCases: [string, PrometheusAuth, string[]][] = [
    ['bearer', { type: 'bearer', token: 'bearer-secret-123' }, ['bearer-secret-123']],
    [
      'basic',
      { type: 'basic', username: 'ann', password: 'basic-secret-456' },
      ['basic-secret-456', Buffer.from('ann:basic-secret-456').toString('base64')],
    ],
    [
      'sigv4',
      {
        type: 'sigv4',
        region: 'us-east-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'sigv4-secret-789',
          sessionToken: 'sigv4-session-000',
        },
      },
      ['sigv4-secret-789', 'sigv4-session-000'],
    ],
  ];

  it.each(secretCases)(
    'never puts %s secrets in messages, thrown objects or the client',
    async (_name, auth, secrets) => {
      const leaks = (value: unknown): string[] => {
        const text = [
          inspect(value, { depth: Infinity, showHidden: true }),
          JSON.stringify(value),
          value instanceof Error ? `${value.message} ${String(value.stack)}` : '',
        ].join('\n');
        return secrets.filter((s) => text.includes(s));
      };
      const echoing = fakeFetch((request) => {
        // Also echo a secret that is not in the headers (the server knows the password).
        return new Response(`${secrets.join(' ')} ${JSON.stringify(request.headers)}`, {
          status: 400,
        });
      });
      const c = client(echoing.fetch, { auth, timeoutMs: 100 });
      expect(leaks(c)).toEqual([]);

      const errors = [
        await rejection(c.instant('up')),
        await rejection(c.range('up', { start: new Date(0), end: new Date(1), stepSeconds: 1 })),
        await rejection(client(fakeFetch(echoAll).fetch, { auth }).instant('up')),
        await rejection(client(hangingFetch, { auth }).instant('up', { timeoutMs: 20 })),
        await rejection(
          client(
            () =>
              Promise.reject(
                new TypeError('fetch failed', { cause: new Error(`boom ${secrets.join(' ')}`) }),
              ),
            { auth },
          ).instant('up'),
        ),
      ];
      expect(errors[0]?.message).toContain('[redacted]');
      for (const err of errors) expect(leaks(err)).toEqual([]);

      const outcomes = await runInstantQueries(c, new Map([['q', 'up']]));
      expect(leaks([...outcomes.values()])).toEqual([]);
    },
  );
});
