import { describe, expect, it } from 'vitest';

import { redactSecrets, redactUrl, redactUrlUserinfo } from './redact.js';

describe('redactSecrets', () => {
  it('applies every rule: configured secrets, URL userinfo, pairs, auth schemes, key shapes', () => {
    const text = [
      'key my-long-key and my-long',
      'postgres://u:p@ss@db:5432/x',
      'pwd=a1 "api_key": "b2"',
      'authorization=Basic dXNlcjpwdw==',
      'Bearer abc.def',
      'sk-abcdefghijkl AKIAABCDEFGHIJKLMNOP',
    ].join(' | ');
    expect(redactSecrets(text, ['my-long', 'my-long-key', undefined, ''])).toBe(
      [
        'key *** and ***',
        'postgres://***@db:5432/x',
        'pwd=*** "api_key": "***"',
        'authorization=Basic ***',
        'Bearer ***',
        '*** ***',
      ].join(' | '),
    );
  });

  it('keeps a caller’s own marker', () => {
    expect(redactSecrets('got s3cret', ['s3cret'], '[redacted]')).toBe('got [redacted]');
  });
});

describe('URLs', () => {
  it('hides the password of a connection URL, and all of one that does not parse', () => {
    expect(redactUrl('postgres://u:pw@h/db?password=x')).toBe('postgres://u:***@h/db?password=***');
    expect(redactUrl('postgres://u:pw@[bad/db')).toBe('postgres://<unparseable URL>');
  });

  it('hides userinfo with spaces in a string meant as one URL', () => {
    expect(redactUrlUserinfo('http://ann:hun ter2@prom test', '[redacted]')).toBe(
      'http://[redacted]@prom test',
    );
  });
});
