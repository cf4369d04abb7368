/**
 * `headway render` and `headway plan` as a user runs them: every target written with every secret
 * configured in the environment, and no secret value in any file; the plan printed with sources
 * and applied by `render helm --plan`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const dir = makeTempDir('headway-render-');
afterAll(() => dir.remove());

/** Secret values as a deployment would have them in its environment. */
const SECRETS = {
  POSTGRES_PASSWORD: 'pg-secret-7f3a9c1e',
  HEADWAY_STORE_URL: 'postgres://temporal:store-secret-51d2@db:5432/headway',
  HEADWAY_API_TOKEN: 'api-token-secret-0b8e4d6f2a',
  HEADWAY_LLM_API_KEY: 'sk-llm-secret-93c1',
  GF_SECURITY_ADMIN_PASSWORD: 'grafana-secret-c44e',
  TEMPORAL_API_KEY: 'temporal-cloud-secret-1e7b',
  HEADWAY_CLUSTER_POSTGRES_PASSWORD: 'cluster-pg-secret-aa01',
};
const env = { ...process.env, ...SECRETS, HEADWAY_STATE_DIR: join(dir.path, 'state') };

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const p = join(path, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('headway render', () => {
  it('writes every target with no secret value in any file', async () => {
    const deployFile = join(dir.path, 'deploy.yml');
    writeFileSync(
      deployFile,
      [
        'metrics: { kind: amp, region: eu-west-1, workspace_url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/" }',
        'database: { kind: postgres, host: db.internal }',
        'copilot: { llm_provider: anthropic }',
        'bench: { replicas: 1 }',
        '',
      ].join('\n'),
    );
    const plainFile = join(dir.path, 'plain.yml');
    writeFileSync(plainFile, 'copilot: { llm_provider: anthropic }\nbench: { replicas: 1 }\n');
    let checked = 0;
    for (const target of ['compose', 'helm', 'ecs', 'render']) {
      const out = join(dir.path, target);
      const config = target === 'ecs' ? deployFile : plainFile;
      const result = await runCli(['render', target, '--out', out, '--config', config], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^wrote \d+ files to /);
      for (const file of filesUnder(out)) {
        const text = readFileSync(file, 'utf8');
        for (const [name, value] of Object.entries(SECRETS)) {
          expect(text.includes(value), `${name} in ${file}`).toBe(false);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('refuses an unknown target and a bad deploy file with the fix', async () => {
    const unknown = await runCli(['render', 'nomad', '--out', join(dir.path, 'x')], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('choose compose, helm, ecs, render');
    const bad = join(dir.path, 'bad.yml');
    writeFileSync(bad, 'topology: { services: { history: { replicas: 0 } } }\n');
    const invalid = await runCli(
      ['render', 'compose', '--config', bad, '--out', join(dir.path, 'y')],
      env,
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('topology.services.history.replicas');
  });
});

describe('headway plan', () => {
  it('prints a 400 WPS sizing with its sources, and render helm --plan applies it', async () => {
    const text = await runCli(['plan', '--target-wps', '400'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('002_*');
    expect(text.stdout).toContain('80 vCPU');
    expect(text.stdout).toContain('History shards are fixed');
    const json = await runCli(['plan', '--target-wps', '400', '--json'], env);
    const planFile = join(dir.path, 'plan.json');
    writeFileSync(planFile, json.stdout);
    const plan = JSON.parse(json.stdout) as {
      topology: { services: { history: { replicas: number } } };
    };
    const out = join(dir.path, 'planned');
    const render = await runCli(['render', 'helm', '--plan', planFile, '--out', out], env);
    expect(render.code, render.stderr).toBe(0);
    const values = parse(readFileSync(join(out, 'headway', 'values.yaml'), 'utf8')) as {
      temporal: { history: { replicas: number } };
    };
    expect(values.temporal.history.replicas).toBe(plan.topology.services.history.replicas);
    // A bad flag value is a usage error (exit 2) that names the flag, for plan and render alike.
    for (const [args, says] of [
      [['plan', '--target-wps', 'abc'], '--target-wps must be a number of workflows per second'],
      [['plan', '--target-wps', '0'], '--target-wps must be above 0'],
      [
        ['plan', '--target-wps', '100', '--persistence', 'mysql'],
        '--persistence must be postgres or dsql',
      ],
      [
        ['render', 'helm', '--target-wps', '-1', '--out', join(dir.path, 'z')],
        '--target-wps must be above 0',
      ],
    ] as const) {
      const refused = await runCli([...args], env);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(says);
    }
    expect(
      readFileSync(join(out, 'headway', 'files', 'temporal', 'history.yaml'), 'utf8'),
    ).toContain('numHistoryShards: 4096');
  });
});
