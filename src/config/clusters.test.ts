import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { defaultClusterName, hasLogSource, monitoredClusters } from './clusters.js';
import { loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'headway-clusters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The config of a headway.yml holding `file` (JSON is YAML) and the environment `env`. */
function load(file: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const path = join(dir, 'headway.yml');
  writeFileSync(path, JSON.stringify(file));
  return loadConfig({ env: { HOME: dir, ...env }, cwd: dir, configPath: path }).config;
}

describe('copilot.clusters', () => {
  it('unset: one cluster named cluster_id, read with signals.*, on the task queue as before', () => {
    const config = load({}, { HEADWAY_CLUSTER_ID: 'prod', HEADWAY_LOKI_URL: 'http://loki:3100' });
    const [only, ...rest] = monitoredClusters(config);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ name: 'prod', isDefault: true, taskQueue: 'headway-copilot' });
    expect(only?.config.signals).toEqual(config.signals);
    expect(only?.config.copilot.cluster_id).toBe('prod');
    expect(defaultClusterName(config)).toBe('prod');
  });

  it('lists clusters: the first is the default; each has its own task queue and sources', () => {
    const config = load({
      signals: { prometheus_url: 'http://prom:9090', loki_url: 'http://loki:3100' },
      copilot: {
        log_file: '/var/log/temporal.log',
        clusters: [
          { name: 'east', server_selector: 'job="temporal-east"' },
          {
            name: 'west',
            prometheus_url: 'http://prom-west:9090',
            temporal: { address: 'west.example:7233', namespace: 'prod' },
            thresholds: { stressed: { persistence_latency_p99_max_ms: 250 } },
            alerts: { webhooks: ['https://hooks.example/west'] },
          },
        ],
      },
    });
    const [east, west] = monitoredClusters(config);
    expect(defaultClusterName(config)).toBe('east');
    expect(east).toMatchObject({ name: 'east', isDefault: true, taskQueue: 'headway-copilot' });
    expect(east?.config.signals).toMatchObject({
      prometheus_url: 'http://prom:9090',
      server_selector: 'job="temporal-east"',
      loki_url: 'http://loki:3100',
    });
    expect(east?.config.copilot.log_file).toBe('/var/log/temporal.log');
    expect(west).toMatchObject({
      name: 'west',
      isDefault: false,
      taskQueue: 'headway-copilot-west',
      temporal: { address: 'west.example:7233', namespace: 'prod' },
    });
    expect(west?.config.signals).toMatchObject({
      prometheus_url: 'http://prom-west:9090',
      server_selector: 'job="temporal-monitored"',
      thresholds: { stressed: { persistence_latency_p99_max_ms: 250 } },
    });
    expect(west?.config.copilot.alerts.webhooks).toEqual(['https://hooks.example/west']);
    // Never another cluster's logs: west names none, so it reads none.
    expect(west?.config.signals.loki_url).toBeUndefined();
    expect(west?.config.copilot.log_file).toBeUndefined();
    expect([east, west].map((c) => c !== undefined && hasLogSource(c))).toEqual([true, false]);
  });

  it('refuses two clusters reading the same series, naming both and the fix', () => {
    const config = load({
      copilot: { clusters: [{ name: 'a' }, { name: 'b' }] },
    });
    let err: unknown;
    try {
      monitoredClusters(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.ConfigInvalid);
    expect((err as HeadwayError).message).toBe(
      'clusters a and b read the same Prometheus series (job="temporal-monitored")',
    );
    expect((err as HeadwayError).hint).toMatch(/own prometheus_url or server_selector/);
  });

  it('refuses duplicate or malformed names and an empty list, at load', () => {
    const problems = (clusters: unknown): string => {
      try {
        load({ copilot: { clusters } });
      } catch (e) {
        return [(e as HeadwayError).message, ...(e as HeadwayError).details].join('\n');
      }
      return 'loaded';
    };
    expect(problems([{ name: 'a', server_selector: 'x' }, { name: 'a' }])).toMatch(
      /cluster a is listed twice/,
    );
    expect(problems([{ name: 'a b' }])).toMatch(/letters, digits[^]*copilot\.clusters\[0\]\.name/);
    expect(problems([])).toMatch(/at least one cluster/);
    expect(problems([{ name: 'a', prometheus: 'x' }])).toMatch(/prometheus/);
  });
});
