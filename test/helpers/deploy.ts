import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';

import { clusterInstances } from '../../src/config/cluster.js';
import { HeadwayConfigSchema } from '../../src/config/schema.js';
import type { RenderedFile } from '../../src/deploy/common.js';
import type { PostgresTarget } from '../../src/stack/cluster/postgres.js';
import { instanceEnvironment } from '../../src/stack/cluster/services.js';
import { stateLayout } from '../../src/stack/state.js';
import { TEMPORAL_ROLES, type TemporalRole, type Topology } from '../../src/topology/model.js';

/** Writes a render as `headway render --out DIR` does. */
export function writeRender(files: readonly RenderedFile[], dir: string): void {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
}

/** The Kubernetes kinds a chart may render, with the OpenAPI-derived model that validates each. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
};

/** Throws (with the schema's complaint) unless the object is a valid object of a known kind. */
export function validateKubernetesObject(object: { apiVersion?: string; kind?: string }): void {
  const key = `${object.apiVersion ?? '?'}/${object.kind ?? '?'}`;
  const Model = MODELS[key];
  if (Model === undefined) throw new Error(`no schema for ${key}: add its model to MODELS`);
  new Model(object as never).validate();
}

/**
 * The environment `headway up --profile cluster` gives each role's first instance, from the
 * cluster profile's own code (instanceEnvironment), for comparing renders with what was tested.
 */
export function clusterProfileEnvironments(
  topology: Topology,
): Record<TemporalRole, Record<string, string>> {
  const config = HeadwayConfigSchema.parse({
    state_dir: '/tmp/headway-state-unused',
    cache_dir: '/tmp/headway-cache-unused',
    stack: { profile: 'cluster', cluster: { topology } },
  });
  const layout = stateLayout('/tmp/headway-state-unused');
  const target: PostgresTarget = {
    host: '127.0.0.1',
    port: 5532,
    user: topology.persistence.user,
    password: 'unused',
    managed: true,
  };
  const instances = clusterInstances(config.stack.cluster, config.stack.monitored);
  return Object.fromEntries(
    TEMPORAL_ROLES.map((role) => {
      const instance = instances.find((i) => i.role === role && i.index === 0)!;
      return [role, instanceEnvironment(config, layout, instance, target)];
    }),
  ) as Record<TemporalRole, Record<string, string>>;
}
