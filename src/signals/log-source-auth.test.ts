import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../config/load.js';

import { logSourceFor } from './source.js';

const home = mkdtempSync(join(tmpdir(), 'headway-loki-auth-'));
let server: Server;
let lokiUrl: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lokiUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(home, { recursive: true, force: true });
});

async function authorizationSent(env: Record<string, string>): Promise<string | undefined> {
  const { config } = loadConfig({
    env: { HOME: home, HEADWAY_LOKI_URL: lokiUrl, ...env },
    cwd: home,
  });
  seen.length = 0;
  await logSourceFor(config).collect({ start: new Date(Date.now() - 60_000), end: new Date() });
  expect(seen.length).toBeGreaterThan(0);
  return seen[0]!.authorization;
}

describe('Loki gets its own credentials, never Prometheus’ (a local stand-in for Loki)', () => {
  it('sends no Prometheus bearer token to Loki', async () => {
    const sent = await authorizationSent({
      HEADWAY_PROMETHEUS_AUTH: 'bearer',
      HEADWAY_PROMETHEUS_TOKEN: 'prom-SECRET-token',
    });
    expect(sent).toBeUndefined();
  });

  it('sends Loki’s bearer token, or its basic credentials', async () => {
    expect(
      await authorizationSent({
        HEADWAY_PROMETHEUS_AUTH: 'bearer',
        HEADWAY_PROMETHEUS_TOKEN: 'prom-SECRET-token',
        HEADWAY_LOKI_AUTH: 'bearer',
        HEADWAY_LOKI_TOKEN: 'loki-token',
      }),
    ).toBe('Bearer loki-token');
    expect(
      await authorizationSent({
        HEADWAY_LOKI_AUTH: 'basic',
        HEADWAY_LOKI_USERNAME: 'ops',
        HEADWAY_LOKI_PASSWORD: 'pw',
      }),
    ).toBe(`Basic ${Buffer.from('ops:pw').toString('base64')}`);
  });

  it('refuses a Loki auth type without its credential, naming the variable', () => {
    expect(() =>
      loadConfig({ env: { HOME: home, HEADWAY_LOKI_AUTH: 'bearer' }, cwd: home }),
    ).toThrow(/CONFIG|config/i);
  });
});
