import { describe, expect, it } from 'vitest';

import {
  createTokenCache,
  DEFAULT_RENEW_BEFORE_MS,
  DEFAULT_TOKEN_TTL_MS,
  dsqlTokenGenerator,
} from './dsql-token.js';

/** A generator that hands out tok-1, tok-2, … and can be told to fail or to wait. */
function fakeGenerator() {
  let n = 0;
  let failNext = false;
  let gate: Promise<void> | undefined;
  const generate = async () => {
    n++;
    const id = n;
    if (gate !== undefined) await gate;
    if (failNext) {
      failNext = false;
      throw new Error(`generation ${String(id)} failed`);
    }
    return `tok-${String(id)}`;
  };
  return {
    generate,
    calls: () => n,
    failOnce: () => (failNext = true),
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const MIN = 60_000;

describe('createTokenCache (injected clock)', () => {
  it('reuses a token until it is within renewBeforeMs of expiry, then renews it', async () => {
    let now = 0;
    const gen = fakeGenerator();
    const token = createTokenCache({ generate: gen.generate, now: () => now });
    expect(await token()).toBe('tok-1');
    now = DEFAULT_TOKEN_TTL_MS - DEFAULT_RENEW_BEFORE_MS - 1;
    expect(await token()).toBe('tok-1');
    expect(gen.calls()).toBe(1);
    now = DEFAULT_TOKEN_TTL_MS - DEFAULT_RENEW_BEFORE_MS;
    expect(await token()).toBe('tok-2');
    expect(gen.calls()).toBe(2);
    // tok-2 counts its lifetime from its own generation.
    now += DEFAULT_TOKEN_TTL_MS - DEFAULT_RENEW_BEFORE_MS - 1;
    expect(await token()).toBe('tok-2');
    expect(gen.calls()).toBe(2);
  });

  it('never serves an expired token, even when renewal fails', async () => {
    let now = 0;
    const gen = fakeGenerator();
    const token = createTokenCache({
      generate: gen.generate,
      ttlMs: 10 * MIN,
      renewBeforeMs: 2 * MIN,
      now: () => now,
    });
    expect(await token()).toBe('tok-1');
    // In the renewal window a failed renewal falls back to the still-valid token…
    now = 9 * MIN;
    gen.failOnce();
    expect(await token()).toBe('tok-1');
    // …but once it has expired, the failure is the answer.
    now = 10 * MIN;
    gen.failOnce();
    await expect(token()).rejects.toThrow('failed');
    expect(await token()).toBe('tok-4');
  });

  it('runs one generation for many concurrent callers', async () => {
    const gen = fakeGenerator();
    const token = createTokenCache({ generate: gen.generate, now: () => 0 });
    const release = gen.hold();
    const pending = Array.from({ length: 25 }, () => token());
    release();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 25 }, () => 'tok-1'));
    expect(gen.calls()).toBe(1);
  });

  it('does not cache a failure: every waiter sees it, and the next call generates again', async () => {
    const gen = fakeGenerator();
    const token = createTokenCache({ generate: gen.generate, now: () => 0 });
    gen.failOnce();
    const release = gen.hold();
    const pending = Array.from({ length: 5 }, () => token());
    release();
    const results = await Promise.allSettled(pending);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(gen.calls()).toBe(1);
    expect(await token()).toBe('tok-2');
    expect(gen.calls()).toBe(2);
  });

  it('counts a token from when its generation started, not when it finished', async () => {
    let now = 0;
    let n = 0;
    const slow = () => {
      now += 4 * MIN; // signing took (implausibly) long
      return Promise.resolve(`slow-${String(++n)}`);
    };
    const token = createTokenCache({
      generate: slow,
      ttlMs: 10 * MIN,
      renewBeforeMs: 2 * MIN,
      now: () => now,
    });
    expect(await token()).toBe('slow-1');
    // Expiry is 10 min after the start (not after the 4 min it took): 8 min is renewal time.
    now = 8 * MIN;
    expect(await token()).toBe('slow-2');
  });
});

describe('dsqlTokenGenerator', () => {
  // Signing is local (SigV4 presigning); these fake static credentials never reach AWS.
  const credentials = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const endpoint = 'abcdefghijklmnopqrst.dsql.us-east-1.on.aws';

  it('signs a DbConnectAdmin token for admin (AWS signer offline, no AWS)', async () => {
    const token = await dsqlTokenGenerator({
      endpoint,
      region: 'us-east-1',
      user: 'admin',
      credentials,
    })();
    expect(token.startsWith(`${endpoint}/?`)).toBe(true);
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(query.get('Action')).toBe('DbConnectAdmin');
    expect(query.get('X-Amz-Expires')).toBe(String(DEFAULT_TOKEN_TTL_MS / 1000));
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/dsql\/aws4_request$/,
    );
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(credentials.secretAccessKey);
  });

  it('signs a DbConnect token for any other role (AWS signer offline, no AWS)', async () => {
    const token = await dsqlTokenGenerator({
      endpoint,
      region: 'eu-west-1',
      user: 'headway_app',
      expiresInSeconds: 600,
      credentials,
    })();
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(query.get('Action')).toBe('DbConnect');
    expect(query.get('X-Amz-Expires')).toBe('600');
    expect(query.get('X-Amz-Credential')).toContain('/eu-west-1/dsql/');
  });
});
