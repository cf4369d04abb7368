import { readFileSync } from 'node:fs';

import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { clusterProfileEnvironments } from '../../test/helpers/deploy.js';
import { renderDynamicConfig } from '../topology/dynamic-config.js';
import { TEMPORAL_ROLES } from '../topology/model.js';
import { CONFIG_ENV, renderStaticConfig } from '../topology/static-config.js';

import { loadAssets } from './assets.js';
import { ADDRESS_ENV, serverArgs } from './common.js';
import { COMPOSE_FILE, composeCpus, composeMemory, renderCompose, roleService } from './compose.js';
import { DeploySchema } from './model.js';

/** The Compose Specification's own JSON schema (test/fixtures/compose-spec/README.md). */
const schema = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/compose-spec/compose-spec.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;
// Ajv registers draft-07 under its http:// id; the file names the https:// one.
schema.$schema = 'http://json-schema.org/draft-07/schema#';
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

const deploy = DeploySchema.parse({ bench: { replicas: 2 } });
const files = renderCompose(deploy, loadAssets());
const file = (path: string): string => {
  const found = files.find((f) => f.path === path);
  if (found === undefined) throw new Error(`no ${path} in the render`);
  return found.content;
};

interface ComposeService {
  image: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: unknown;
}
const compose = parse(file(COMPOSE_FILE)) as { services: Record<string, ComposeService> };

describe('render compose', () => {
  it('validates against the Compose Specification schema', () => {
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it('has a schema validator that refuses a malformed file', () => {
    const bad = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    bad.services['temporal-history']!.depends_on = { x: { condition: 'when_ready' } };
    expect(validate(bad)).toBe(false);
  });

  it('mounts the static and dynamic config the cluster profile runs, byte for byte', () => {
    for (const role of TEMPORAL_ROLES) {
      expect(file(`config/temporal/${role}.yaml`)).toBe(renderStaticConfig(deploy.topology, role));
      expect(compose.services[roleService(role)]?.volumes).toContain(
        './config/temporal:/etc/headway/temporal:ro',
      );
    }
    expect(file('config/dynamicconfig/dynamicconfig.yaml')).toBe(
      renderDynamicConfig(deploy.topology),
    );
  });

  it("runs every role with the cluster profile's env names and non-address values", () => {
    const profile = clusterProfileEnvironments(deploy.topology);
    for (const role of TEMPORAL_ROLES) {
      const service = compose.services[roleService(role)]!;
      expect(service.command).toEqual(serverArgs(role));
      expect(service.deploy?.replicas).toBe(deploy.topology.services[role].replicas);
      const env = service.environment ?? {};
      expect(Object.keys(env).sort()).toEqual(Object.keys(profile[role]).sort());
      for (const name of Object.keys(profile[role])) {
        if (ADDRESS_ENV.has(name) || name.endsWith('_PORT') || name === CONFIG_ENV.postgresPassword)
          continue;
        expect(env[name], name).toBe(profile[role][name]);
      }
      expect(env[CONFIG_ENV.postgresPassword]).toBe(
        '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}',
      );
    }
  });

  it('starts the Temporal services only after the schema service has completed', () => {
    for (const role of TEMPORAL_ROLES) {
      expect(compose.services[roleService(role)]?.depends_on?.['temporal-schema']).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(compose.services[roleService(role)]?.healthcheck).toBeDefined();
    }
    const script = compose.services['temporal-schema']?.entrypoint?.[2] ?? '';
    // `$$` in the file is one `$` in the container: Compose leaves the script's variables alone.
    expect(script).toContain('export SQL_PASSWORD="$$POSTGRES_PASSWORD"');
    expect(script).toContain('update-schema --schema-name "$$2"');
  });

  it('provisions Grafana with every Headway dashboard', () => {
    for (const d of loadAssets().dashboards) {
      expect(file(`grafana/dashboards/${d.folder}/${d.file}`)).toBe(d.content);
    }
    expect(file('grafana/provisioning/dashboards/headway.yml')).toContain(
      '/var/lib/grafana/dashboards/server',
    );
  });

  it('lists the secrets in .env.example with no values', () => {
    const lines = file('.env.example')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      'POSTGRES_PASSWORD=',
      'GF_SECURITY_ADMIN_PASSWORD=',
      'HEADWAY_STORE_URL=',
      'HEADWAY_API_TOKEN=',
    ]);
  });

  it('converts Kubernetes quantities to Compose ones', () => {
    expect(composeCpus('500m')).toBe('0.5');
    expect(composeCpus('2')).toBe('2');
    expect(composeMemory('512Mi')).toBe('512m');
    expect(composeMemory('2Gi')).toBe('2g');
  });

  it('refuses DSQL, which only ECS can run', () => {
    const dsql = DeploySchema.parse({
      database: {
        kind: 'dsql',
        endpoint: 'abc123.dsql.eu-west-1.on.aws',
        region: 'eu-west-1',
        cluster_arn: 'arn:aws:dsql:eu-west-1:123456789012:cluster/abc123',
        visibility_host: 'visibility.example.internal',
      },
    });
    expect(() => renderCompose(dsql, loadAssets())).toThrow(/ECS only/);
  });
});
