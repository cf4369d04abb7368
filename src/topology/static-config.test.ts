import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { renderDynamicConfig } from './dynamic-config.js';
import { instancesOf, TEMPORAL_ROLES, TopologySchema } from './model.js';
import { CONFIG_ENV, renderStaticConfig, roleEnvironment } from './static-config.js';

const topology = TopologySchema.parse({});

/** What the server's templating does with `{{ env "X" }}` (sprig), for reading the result. */
function renderTemplate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\{\{ env "([A-Z_]+)"(?: \| default "([^"]*)")? \}\}/g,
    (_, key: string, fallback: string | undefined) => env[key] ?? fallback ?? '',
  );
}

describe('topology model', () => {
  it('defaults to frontend 1, history 2, matching 2, worker 1 on 4 shards', () => {
    expect(instancesOf(topology).map((i) => `${i.role}-${String(i.index)}`)).toEqual([
      'frontend-0',
      'history-0',
      'history-1',
      'matching-0',
      'matching-1',
      'worker-0',
    ]);
    expect(topology.num_history_shards).toBe(4);
  });

  it('refuses a replica count of 0 and an unknown key', () => {
    expect(TopologySchema.safeParse({ services: { history: { replicas: 0 } } }).success).toBe(
      false,
    );
    expect(TopologySchema.safeParse({ shards: 8 }).success).toBe(false);
  });
});

describe('renderStaticConfig', () => {
  it('is a server config template with no address, port or secret in it', () => {
    for (const role of TEMPORAL_ROLES) {
      const text = renderStaticConfig(topology, role);
      expect(text.split('\n')[0]).toBe('# enable-template');
      expect(text).not.toMatch(/127\.0\.0\.1|:\d{4,5}"/);
      expect(text).toContain(`password: "{{ env "${CONFIG_ENV.postgresPassword}" }}"`);
    }
  });

  it('becomes a config for its role once the environment fills it in, naming every service', () => {
    const env = {
      ...roleEnvironment({
        bindIp: '10.0.0.5',
        broadcastAddress: '10.0.0.5',
        grpcPort: 7234,
        membershipPort: 6934,
        metricsPort: 9000,
        frontendAddress: 'frontend:7233',
        dynamicConfigFile: '/etc/temporal/dynamic.yaml',
        postgresHost: 'db',
        postgresPort: 5432,
      }),
      [CONFIG_ENV.postgresPassword]: 's3cret',
    };
    const doc = parse(renderTemplate(renderStaticConfig(topology, 'history'), env)) as {
      services: Record<string, { rpc: Record<string, unknown> }>;
      persistence: {
        numHistoryShards: number;
        datastores: Record<string, { sql: Record<string, unknown> }>;
      };
      global: { metrics: { prometheus: { listenAddress: string } } };
    };
    // Membership tracks only the services a config names, so every config names all four.
    expect(Object.keys(doc.services)).toEqual(['frontend', 'history', 'matching', 'worker']);
    expect(doc.services.history?.rpc).toEqual({
      grpcPort: 7234,
      membershipPort: 6934,
      bindOnIP: '10.0.0.5',
    });
    expect(doc.persistence.numHistoryShards).toBe(4);
    expect(doc.persistence.datastores.default?.sql.connectAddr).toBe('db:5432');
    expect(doc.persistence.datastores.default?.sql.password).toBe('s3cret');
    expect(doc.global.metrics.prometheus.listenAddress).toBe('10.0.0.5:9000');
  });

  it('gives only the frontend an HTTP port', () => {
    const doc = parse(renderTemplate(renderStaticConfig(topology, 'frontend'), {})) as {
      services: Record<string, { rpc: Record<string, unknown> }>;
    };
    expect(Object.keys(doc.services.frontend?.rpc ?? {})).toContain('httpPort');
    expect(Object.keys(doc.services.matching?.rpc ?? {})).not.toContain('httpPort');
  });

  it('is deterministic', () => {
    expect(renderStaticConfig(topology, 'worker')).toBe(
      renderStaticConfig(TopologySchema.parse({}), 'worker'),
    );
  });
});

describe('renderDynamicConfig', () => {
  it("sets the dev server's defaults and lets the topology override them, keys sorted", () => {
    const text = renderDynamicConfig(
      TopologySchema.parse({
        dynamic_config: { 'frontend.namespaceRPS.visibility': 50, 'a.key': true },
      }),
    );
    const doc = parse(text) as Record<string, { value: unknown }[]>;
    expect(Object.keys(doc)).toEqual([
      'a.key',
      'frontend.namespaceRPS.visibility',
      'history.hostLevelCacheMaxSize',
    ]);
    expect(doc['frontend.namespaceRPS.visibility']?.[0]?.value).toBe(50);
  });
});
