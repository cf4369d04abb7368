import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { loadConfig } from './load.js';

const home = mkdtempSync(join(tmpdir(), 'headway-webhooks-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function load(env: Record<string, string>): HeadwayError | undefined {
  try {
    loadConfig({ env: { HOME: home, ...env }, cwd: home });
    return undefined;
  } catch (err) {
    if (err instanceof HeadwayError) return err;
    throw err;
  }
}

describe('alert webhooks take only http(s) URLs', () => {
  it.each([
    ['HEADWAY_ALERT_WEBHOOKS', 'file:///etc/passwd'],
    ['HEADWAY_ALERT_WEBHOOKS', 'javascript:alert(1)'],
    ['HEADWAY_ALERT_SLACK_WEBHOOKS', 'ftp://hooks.example/x'],
    ['HEADWAY_ALERT_WEBHOOKS', 'https://ok.example/hook,data:text/plain,hi'],
  ])('%s=%s is refused with CONFIG_INVALID', (key, value) => {
    const err = load({ [key]: value });
    expect(err?.code).toBe(ErrorCode.ConfigInvalid);
    expect(err?.details.join('\n')).toContain('must be an http(s) URL');
  });

  it('http and https pass', () => {
    expect(
      load({
        HEADWAY_ALERT_WEBHOOKS: 'http://127.0.0.1:9000/hook,https://alerts.example/hook',
        HEADWAY_ALERT_SLACK_WEBHOOKS: 'https://hooks.slack.example/T0/B0/x',
      }),
    ).toBeUndefined();
  });
});
