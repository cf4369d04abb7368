/**
 * The Helm chart of `headway render helm` through the real Helm v3 (helm lint, helm template), and
 * every object it renders validated against the Kubernetes OpenAPI schemas (kubernetes-models).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { loadConfig } from '../../src/config/load.js';
import { loadAssets } from '../../src/deploy/assets.js';
import { ADDRESS_ENV, serverArgs } from '../../src/deploy/common.js';
import { CHART_DIR, renderHelm } from '../../src/deploy/helm.js';
import { DeploySchema } from '../../src/deploy/model.js';
import { CONFIG_ENV, renderStaticConfig } from '../../src/topology/static-config.js';
import { renderDynamicConfig } from '../../src/topology/dynamic-config.js';
import { TEMPORAL_ROLES } from '../../src/topology/model.js';
import { HELM, findBinary, toolchainContext } from '../../src/toolchain/index.js';
import {
  clusterProfileEnvironments,
  validateKubernetesObject,
  writeRender,
} from '../helpers/deploy.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: {
      spec: {
        containers: {
          name: string;
          args?: string[];
          env?: { name: string; value?: string; valueFrom?: unknown }[];
        }[];
      };
    };
  };
}

async function helmBinary(): Promise<string> {
  const { config } = loadConfig({ env: process.env });
  const { found, attempts } = await findBinary(HELM, toolchainContext(HELM, config, process.env));
  if (found === undefined) {
    throw new Error(
      `these tests need helm ${HELM.wantedVersion}: ${attempts.map((a) => a.outcome).join('; ')}. ` +
        'Run `npx headway install helm` (go install into the cache).',
    );
  }
  return found.path;
}

const deploy = DeploySchema.parse({ bench: { replicas: 2 } });
const dir = makeTempDir('headway-helm-');
const chart = join(dir.path, CHART_DIR);
let helm: string;
let objects: K8sObject[];

beforeAll(async () => {
  helm = await helmBinary();
  writeRender(renderHelm(deploy, loadAssets()), dir.path);
  const { stdout } = await run(helm, ['template', 'hw', chart, '--namespace', 'temporal'], {
    maxBuffer: 64 << 20,
  });
  objects = parseAllDocuments(stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
});
afterAll(() => dir.remove());

describe('render helm', () => {
  it('passes helm lint', async () => {
    const { stdout } = await run(helm, ['lint', chart, '--strict']);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders only objects that validate against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      expect(() => {
        validateKubernetesObject(object);
      }, `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('has a validator that refuses a malformed object', () => {
    const bad = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
    (bad.spec as Record<string, unknown>).replicas = 'two';
    expect(() => {
      validateKubernetesObject(bad);
    }).toThrow();
  });

  it('mounts the static config the cluster profile runs, byte for byte, for every role', () => {
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'hw-temporal-config',
    );
    for (const role of TEMPORAL_ROLES) {
      expect(config?.data?.[`${role}.yaml`]).toBe(renderStaticConfig(deploy.topology, role));
    }
    const dynamic = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'hw-temporal-dynamicconfig',
    );
    expect(dynamic?.data?.['dynamicconfig.yaml']).toBe(renderDynamicConfig(deploy.topology));
  });

  it("runs every role with the cluster profile's env names and non-address values", () => {
    const profile = clusterProfileEnvironments(deploy.topology);
    for (const role of TEMPORAL_ROLES) {
      const d = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === `hw-temporal-${role}`,
      );
      const container = d?.spec?.template?.spec.containers[0];
      expect(d?.spec?.replicas).toBe(deploy.topology.services[role].replicas);
      expect(container?.args).toEqual(serverArgs(role));
      const env = container?.env ?? [];
      expect(env.map((e) => e.name).sort()).toEqual(Object.keys(profile[role]).sort());
      const value = (name: string) => env.find((e) => e.name === name)?.value;
      // Ports are the container's own (each pod has its own network); the rest is identical.
      for (const name of Object.keys(profile[role])) {
        if (ADDRESS_ENV.has(name) || name.endsWith('_PORT') || name === CONFIG_ENV.postgresPassword)
          continue;
        expect(value(name), name).toBe(profile[role][name]);
      }
      expect(env.find((e) => e.name === CONFIG_ENV.bindIp)?.valueFrom).toEqual({
        fieldRef: { fieldPath: 'status.podIP' },
      });
      const password = env.find((e) => e.name === CONFIG_ENV.postgresPassword);
      expect(password?.value).toBeUndefined();
      expect(password?.valueFrom).toEqual({
        secretKeyRef: { name: 'headway-secrets', key: 'POSTGRES_PASSWORD' },
      });
    }
  });

  it('sets up the schema in a pre-install/pre-upgrade hook Job', () => {
    const job = objects.find((o) => o.kind === 'Job');
    expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  });
});
