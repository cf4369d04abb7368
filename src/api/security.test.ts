import { describe, expect, it } from 'vitest';

import { escapeLabelValue } from '../../test/helpers/exposition.js';

import { redactSecrets } from '../log/redact.js';
import { corsPolicy, hostAllowed, hostName, isLoopbackHost, tokenMatches } from './security.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['127.example.com', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('corsPolicy', () => {
  it('allows no origin, on loopback or beyond it, when no origins are listed', () => {
    expect(corsPolicy('127.0.0.1', []).allow).toBeNull();
    expect(corsPolicy('0.0.0.0', []).allow).toBeNull();
  });

  it('echoes listed origins (trailing slashes ignored); * in the list allows any', () => {
    const { allow } = corsPolicy('0.0.0.0', ['https://a.example/', ' http://b.example ']);
    expect(allow).toEqual(new Set(['https://a.example', 'http://b.example']));
    expect(corsPolicy('0.0.0.0', ['*']).allow).toBe('*');
  });
});

describe('tokenMatches', () => {
  it('compares whole tokens of any length', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('hides URL credentials, password pairs, bearer tokens and configured secrets', () => {
    expect(redactSecrets('postgres://u:p4ss@db:5432/x failed')).toBe(
      'postgres://***@db:5432/x failed',
    );
    expect(redactSecrets('password=hunter2 host=db')).toBe('password=*** host=db');
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
    expect(redactSecrets('token s3cr3t-value leaked', ['s3cr3t-value'])).toBe('token *** leaked');
  });
});

describe('escapeLabelValue', () => {
  it('escapes backslash, quote and newline; blanks other control characters', () => {
    expect(escapeLabelValue('a\\b"c\nd\re\tf')).toBe('a\\\\b\\"c\\nd e f');
    expect(escapeLabelValue('plain text')).toBe('plain text');
  });
});

describe('hostAllowed (DNS rebinding)', () => {
  it('reads the name of a Host header without its port', () => {
    expect(hostName('Copilot.Example:8081')).toBe('copilot.example');
    expect(hostName('[::1]:8081')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
  });

  it.each([
    ['127.0.0.1:8081', '127.0.0.1', [], true],
    ['localhost:8081', '127.0.0.1', [], true],
    ['[::1]:8081', '::1', [], true],
    ['10.0.0.5:8081', '0.0.0.0', [], true],
    ['copilot.internal:8081', 'copilot.internal', [], true],
    ['grafana-proxy.example', '0.0.0.0', ['grafana-proxy.example'], true],
    ['evil.example:8081', '127.0.0.1', [], false],
    ['evil.example', '0.0.0.0', ['grafana-proxy.example'], false],
    ['', '127.0.0.1', [], false],
  ] as const)('Host %j on bind %s (allowed %j): %s', (header, bind, allowed, expected) => {
    expect(hostAllowed(header, bind, allowed)).toBe(expected);
  });
});
