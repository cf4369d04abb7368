import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { clusterProfileEnvironments } from '../../test/helpers/deploy.js';
import { renderDynamicConfig } from '../topology/dynamic-config.js';
import { TEMPORAL_ROLES } from '../topology/model.js';
import { CONFIG_ENV, renderStaticConfig } from '../topology/static-config.js';

import { loadAssets } from './assets.js';
import { serverArgs, type RenderedFile } from './common.js';
import {
  dsqlEnvironment,
  ecsCpu,
  ecsMemory,
  fargateSize,
  renderDsqlStaticConfig,
  renderEcs,
} from './ecs.js';
import { hclString } from './hcl.js';
import { TARGETS, renderTarget, withPlan } from './index.js';
import { DeploySchema } from './model.js';
import { plan } from './plan.js';
import { RENDER_ROOT, renderRender } from './render-com.js';

// Loaded by require so TypeScript never reads its typings: they pull in the DOM library, whose
// stream types then clash with Node's across the whole project.
const { parse: parseHcl } = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse: (file: string, text: string) => Promise<Record<string, unknown>>;
};

const AMP = {
  kind: 'amp',
  region: 'eu-west-1',
  workspace_url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-example/',
};
const DSQL = {
  kind: 'dsql',
  endpoint: 'abc123.dsql.eu-west-1.on.aws',
  region: 'eu-west-1',
  cluster_arn: 'arn:aws:dsql:eu-west-1:123456789012:cluster/abc123',
  visibility_host: 'visibility.example.internal',
};
/** One deploy file per target, as the golden renders were made. */
const INPUTS = {
  compose: { bench: { replicas: 2 } },
  helm: { bench: { replicas: 2 } },
  ecs: { metrics: AMP, database: DSQL, bench: { replicas: 1 } },
  render: { copilot: { llm_provider: 'anthropic' } },
} as const;
const assets = loadAssets();
const renders = Object.fromEntries(
  TARGETS.map((t) => [t, renderTarget(t, DeploySchema.parse(INPUTS[t]), assets)]),
) as Record<(typeof TARGETS)[number], RenderedFile[]>;
const GOLDEN = fileURLToPath(new URL('../../test/fixtures/renders', import.meta.url));
const isDashboard = (f: RenderedFile): boolean => f.path.endsWith('.json');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('renders', () => {
  it('are deterministic and equal the golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
    for (const target of TARGETS) {
      const again = renderTarget(target, DeploySchema.parse(INPUTS[target]), assets);
      expect(again).toEqual(renders[target]);
      const files = renders[target].filter((f) => !isDashboard(f));
      const dir = join(GOLDEN, target);
      if (process.env.UPDATE_GOLDEN === '1') {
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
      }
      const golden = filesUnder(dir)
        .map((p) => relative(dir, p))
        .sort();
      expect(golden, target).toEqual(files.map((f) => f.path).sort());
      for (const f of files)
        expect(readFileSync(join(dir, f.path), 'utf8'), f.path).toBe(f.content);
    }
  });

  it("hold no dashboard but Headway's own, byte for byte", () => {
    for (const target of ['compose', 'helm'] as const) {
      const dashboards = renders[target].filter(isDashboard);
      expect(dashboards.map((d) => d.content).sort()).toEqual(
        assets.dashboards.map((d) => d.content).sort(),
      );
    }
  });
});

describe('render ecs', () => {
  const files = renders.ecs;
  const tf = files.filter((f) => f.path.endsWith('.tf'));

  it('is Terraform that parses, every var.X it uses declared', async () => {
    const declared = new Set<string>();
    for (const f of tf) {
      const json = (await parseHcl(f.path, f.content)) as { variable?: Record<string, unknown> };
      for (const name of Object.keys(json.variable ?? {})) declared.add(name);
    }
    const used = new Set(
      tf.flatMap((f) => [...f.content.matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!)),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((v) => !declared.has(v))).toEqual([]);
  });

  it('has an HCL check that refuses broken Terraform', async () => {
    await expect(
      parseHcl('bad.tf', 'resource "a" "b" {\n  x = "unterminated\n}\n'),
    ).rejects.toThrow();
  });

  it('escapes Terraform interpolation in strings', () => {
    expect(hclString('a ${b} %{c} "d"\n')).toBe('"a $${b} %%{c} \\"d\\"\\n"');
  });

  it('ships the DSQL config: the tested file with only the default store changed', () => {
    const deploy = DeploySchema.parse(INPUTS.ecs);
    for (const role of TEMPORAL_ROLES) {
      const dsql = files.find((f) => f.path === `ecs/config/temporal/${role}.yaml`)!.content;
      const tested = renderStaticConfig(deploy.topology, role);
      const cut = (s: string) => [
        s.slice(0, s.indexOf('\n    default:\n')),
        s.slice(s.indexOf('\n    visibility:\n')),
      ];
      expect(cut(dsql)[1]).toBe(cut(tested)[1]);
      expect(dsql).toContain('pluginName: "dsql"');
      expect(dsql).toContain(`connectAddr: "${DSQL.endpoint}:5432"`);
      expect(renderDsqlStaticConfig(deploy.topology, role, deploy.database as never)).toBe(dsql);
    }
    const main = files.find((f) => f.path === 'ecs/main.tf')!.content;
    expect(main).toContain('"dsql:DbConnectAdmin"');
    expect(main).toContain(DSQL.cluster_arn);
    expect(main).toContain('DSQL_RESERVOIR_TARGET_READY');
  });

  it('ships the static config the cluster profile runs when on PostgreSQL, with its env names', async () => {
    const deploy = DeploySchema.parse({
      metrics: AMP,
      database: { kind: 'postgres', host: 'db.internal' },
    });
    const out = renderEcs(deploy);
    const profile = clusterProfileEnvironments(deploy.topology);
    const main = out.find((f) => f.path === 'ecs/main.tf')!;
    const json = (await parseHcl('main.tf', main.content)) as {
      resource: Record<string, Record<string, [{ container_definitions: string }]>>;
    };
    for (const role of TEMPORAL_ROLES) {
      expect(out.find((f) => f.path === `ecs/config/temporal/${role}.yaml`)?.content).toBe(
        renderStaticConfig(deploy.topology, role),
      );
      const defs =
        json.resource.aws_ecs_task_definition![`temporal_${role}`]![0].container_definitions;
      // The container's environment names, read back out of the jsonencode(...) expression.
      const block = defs.slice(defs.indexOf(`name = "${role}"`));
      const env = block.slice(block.indexOf('environment = ['), block.indexOf('secrets = ['));
      const names = [...env.matchAll(/name = "([A-Z_0-9]+)"/g)].map((m) => m[1]!);
      const secrets = [
        ...block
          .slice(block.indexOf('secrets = ['), block.indexOf('portMappings'))
          .matchAll(/name = "([A-Z_0-9]+)"/g),
      ].map((m) => m[1]!);
      expect([...names, ...secrets].sort()).toEqual(Object.keys(profile[role]).sort());
      expect(block).toContain(`"--env",\n`);
      for (const arg of serverArgs(role)) expect(block).toContain(`"${arg}"`);
    }
    expect(out.find((f) => f.path === 'ecs/config/dynamicconfig/dynamicconfig.yaml')?.content).toBe(
      renderDynamicConfig(deploy.topology),
    );
  });

  it('sizes Fargate tasks from Kubernetes quantities', () => {
    expect(ecsCpu('500m')).toBe(512);
    expect(ecsMemory('2Gi')).toBe(2048);
    expect(fargateSize(640, 768)).toEqual({ cpu: 1024, memory: 2048 });
    expect(fargateSize(4096 + 128, 8192 + 256)).toEqual({ cpu: 8192, memory: 16384 });
  });

  it('sets the reservoir from the model', () => {
    const env = dsqlEnvironment(DeploySchema.parse(INPUTS.ecs).database as never);
    expect(env.DSQL_RESERVOIR_BASE_LIFETIME).toBe('11m');
    expect(env.DSQL_RESERVOIR_GUARD_WINDOW).toBe('45s');
  });
});

describe('render render', () => {
  interface Env {
    key: string;
    value?: string;
    fromGroup?: string;
    fromDatabase?: { property: string };
  }
  const blueprint = parse(renders.render[0]!.content) as {
    services: { name: string; dockerCommand?: string; numInstances?: number; envVars?: Env[] }[];
    envVarGroups: { name: string; envVars: Env[] }[];
  };
  const deploy = DeploySchema.parse(INPUTS.render);

  it("gives every role the cluster profile's env names, shared ones from one group", () => {
    const profile = clusterProfileEnvironments(deploy.topology);
    const group = blueprint.envVarGroups[0]!.envVars;
    for (const role of TEMPORAL_ROLES) {
      const service = blueprint.services.find((s) => s.name === `temporal-${role}`)!;
      expect(service.numInstances).toBe(deploy.topology.services[role].replicas);
      const own = service.envVars!.filter((e) => e.fromGroup === undefined);
      const names = [...group, ...own].map((e) => e.key).filter((k) => !k.startsWith('HEADWAY_'));
      expect(names.sort()).toEqual(Object.keys(profile[role]).sort());
      expect(own.find((e) => e.key === CONFIG_ENV.postgresPassword)?.fromDatabase?.property).toBe(
        'password',
      );
      expect(own.find((e) => e.key === 'HEADWAY_STATIC_CONFIG')?.value).toBe(
        renderStaticConfig(deploy.topology, role),
      );
      expect(service.dockerCommand).toContain(
        `exec temporal-server ${serverArgs(role, RENDER_ROOT).join(' ')}`,
      );
    }
    expect(group.find((e) => e.key === 'HEADWAY_DYNAMIC_CONFIG')?.value).toBe(
      renderDynamicConfig(deploy.topology),
    );
  });

  it('names secrets for the dashboard, with no value', () => {
    const copilot = blueprint.services.find((s) => s.name === 'copilot')!;
    for (const key of ['HEADWAY_STORE_URL', 'HEADWAY_API_TOKEN', 'HEADWAY_LLM_API_KEY']) {
      expect(copilot.envVars!.find((e) => e.key === key)).toEqual({ key, sync: false });
    }
  });

  it('refuses DSQL', () => {
    expect(() => renderRender(DeploySchema.parse({ database: DSQL }))).toThrow(/ECS only/);
  });
});

describe('plan', () => {
  it('sizes 400 WPS from the 400 WPS reference, citing its sources', () => {
    const p = plan({ target_wps: 400, persistence: 'postgres' });
    expect(p.topology.services.history.replicas).toBe(20);
    expect(p.topology.num_history_shards).toBe(4096);
    expect(p.reasoning.join('\n')).toContain('002_*');
    expect(p.reasoning.join('\n')).toContain('80 vCPU');
    expect(p.guard_rails.join('\n')).toContain('fixed when the cluster is created');
  });

  it('warns about the DSQL connection cap and rate', () => {
    const p = plan({ target_wps: 400, persistence: 'dsql' });
    expect(p.guard_rails.join('\n')).toMatch(/10,000 connections.*TOO MANY/);
    expect(p.guard_rails.join('\n')).toContain('100 new connections per second');
    const small = plan({ target_wps: 20, persistence: 'dsql' });
    expect(small.guard_rails.join('\n')).not.toContain('TOO MANY');
  });

  it('is applied by render (replicas, shards, pool, partitions)', () => {
    const p = plan({ target_wps: 400, persistence: 'postgres' });
    const deploy = DeploySchema.parse(withPlan({}, p));
    expect(deploy.topology.services.matching.replicas).toBe(p.topology.services.matching.replicas);
    expect(deploy.topology.persistence.max_conns).toBe(p.topology.persistence.max_conns);
    expect(deploy.topology.dynamic_config['matching.numTaskqueueReadPartitions']).toBe(64);
    expect(() => withPlan({ database: DSQL }, p)).toThrow(/plan is for postgres/);
  });
});
