import { describe, expect, it } from 'vitest';

import { ClusterSectionSchema, clusterInstances, clusterPorts } from './cluster.js';

const frontend = { grpc_port: 7233, http_port: 7243, metrics_port: 9233, ui_port: 8233 };

describe('cluster placement', () => {
  it("keeps the dev profile's frontend ports and gives every other instance its own four", () => {
    const instances = clusterInstances(ClusterSectionSchema.parse({}), frontend);
    expect(instances[0]).toMatchObject({ id: 'frontend-0', grpc: 7233, http: 7243, metrics: 9233 });
    expect(instances[1]).toMatchObject({
      id: 'history-0',
      grpc: 7304,
      membership: 7305,
      metrics: 7306,
    });
    const ports = clusterPorts(ClusterSectionSchema.parse({}), frontend).map(([, p]) => p);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toContain(5532);
    expect(ports).toContain(8233);
  });

  it('refuses a PostgreSQL URL with a password in it', () => {
    const parsed = ClusterSectionSchema.safeParse({
      postgres: { url: 'postgres://temporal:hunter2@db:5432/' },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain('hunter2');
  });

  it('has no PostgreSQL port of its own when given a server', () => {
    const ports = clusterPorts(
      ClusterSectionSchema.parse({ postgres: { url: 'postgres://t@db:5432/' } }),
      frontend,
    );
    expect(ports.map(([name]) => name)).not.toContain('postgres');
  });
});

describe('membership ports', () => {
  it('refuses a base port that would put a membership port past a smallint', () => {
    const parsed = ClusterSectionSchema.safeParse({ base_port: 32_760 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('smallint');
  });
});
