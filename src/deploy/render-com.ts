/**
 * `headway render render`: a Render Blueprint (`render.yaml`) in the shape of `004_*`: private
 * services per role, an environment group for what every role shares (instead of copied env
 * blocks), a managed PostgreSQL whose password reaches services by `fromDatabase`, the schema job,
 * the UI, Prometheus and the copilot. Render mounts no config files on image services, so each
 * container writes its static config from an environment variable (no secret in it) into
 * /tmp/headway and starts the server on it: the same bytes, another root.
 */
import { stringify } from 'yaml';

import { ErrorCode, HeadwayError } from '../errors.js';
import { renderDynamicConfig } from '../topology/dynamic-config.js';
import { CONFIG_ENV, renderStaticConfig } from '../topology/static-config.js';
import { TEMPORAL_ROLES, type TemporalRole } from '../topology/model.js';

import {
  COPILOT_COMMAND,
  COPILOT_TEMPORAL_ARGS,
  GENERATED_HEADER,
  benchWorkerCommand,
  containerEnvironment,
  copilotEnvironment,
  copilotSecrets,
  prometheusConfig,
  schemaScript,
  serverArgs,
  type RenderedFile,
} from './common.js';
import {
  CONTAINER_PORTS,
  COPILOT_API_PORT,
  PROMETHEUS_PORT,
  SECRET_ENV,
  UI_PORT,
  type Deploy,
} from './model.js';

export const RENDER_ROOT = '/tmp/headway';
const DATABASE = 'temporal-postgres';
const GROUP = 'temporal-common';

/** A shell word in single quotes. */
const quote = (s: string): string => `'${s.replaceAll("'", `'"'"'`)}'`;

/** `sh -c` that writes each file from its env var, exactly, then execs the command. */
function writeThenExec(files: Record<string, string>, command: readonly string[]): string {
  const steps = Object.entries(files).map(
    ([path, env]) => `mkdir -p "$(dirname ${path})" && printf '%s' "$${env}" > ${path}`,
  );
  // The command's words are plain (flags, paths, role names): no quoting inside the quotes.
  if (!command.every((w) => /^[A-Za-z0-9_./=:-]+$/.test(w)))
    throw new Error(`not a plain command: ${command.join(' ')}`);
  return `sh -c ${quote([...steps, `exec ${command.join(' ')}`].join(' && '))}`;
}

const fromDb = (key: string, property: string) => ({
  key,
  fromDatabase: { name: DATABASE, property },
});
const hostport = (key: string, name: string) => ({
  key,
  fromService: { type: 'pserv', name, property: 'hostport' },
});
/** Set in the Render dashboard; the Blueprint only names it. */
const secret = (key: string) => ({ key, sync: false });

export function renderRender(deploy: Deploy): RenderedFile[] {
  if (deploy.database.kind !== 'postgres') {
    throw new HeadwayError(
      ErrorCode.Usage,
      'render render runs PostgreSQL; DSQL renders for ECS only',
      {
        hint: 'use database.kind postgres',
      },
    );
  }
  const topology = deploy.topology;
  const dynamicFile = `${RENDER_ROOT}/dynamicconfig/dynamicconfig.yaml`;
  const shared = containerEnvironment('worker', {
    bindIp: '',
    broadcastAddress: '',
    frontendAddress: '',
    postgresHost: '',
    postgresPort: 0,
  });
  const group = {
    name: GROUP,
    envVars: [
      { key: CONFIG_ENV.bindIp, value: shared[CONFIG_ENV.bindIp] },
      { key: CONFIG_ENV.broadcastAddress, value: shared[CONFIG_ENV.broadcastAddress] },
      { key: CONFIG_ENV.metricsPort, value: shared[CONFIG_ENV.metricsPort] },
      { key: CONFIG_ENV.dynamicConfigFile, value: dynamicFile },
      { key: 'HEADWAY_DYNAMIC_CONFIG', value: renderDynamicConfig(topology) },
    ],
  };
  const services: object[] = [];
  const databaseEnv = [
    fromDb(CONFIG_ENV.postgresHost, 'host'),
    fromDb(CONFIG_ENV.postgresPort, 'port'),
    fromDb(CONFIG_ENV.postgresPassword, 'password'),
  ];

  services.push({
    type: 'worker',
    name: 'temporal-schema',
    runtime: 'image',
    image: { url: deploy.images.admin_tools },
    // Render has no one-off jobs in a Blueprint: the schema runs at each deploy, then idles.
    dockerCommand: `sh -c ${quote(`${schemaScript(deploy)}exec sleep 2147483647`)}`,
    envVars: databaseEnv,
  });

  for (const role of TEMPORAL_ROLES) {
    const ports = CONTAINER_PORTS[role];
    const own = containerEnvironment(role, {
      bindIp: '',
      broadcastAddress: '',
      frontendAddress: '',
      postgresHost: '',
      postgresPort: 0,
    });
    const staticFile = `${RENDER_ROOT}/temporal/${role}.yaml`;
    services.push({
      type: 'pserv',
      name: `temporal-${role}`,
      runtime: 'image',
      image: { url: deploy.images.server },
      numInstances: topology.services[role].replicas,
      dockerCommand: writeThenExec(
        { [staticFile]: 'HEADWAY_STATIC_CONFIG', [dynamicFile]: 'HEADWAY_DYNAMIC_CONFIG' },
        ['temporal-server', ...serverArgs(role, RENDER_ROOT)],
      ),
      envVars: [
        { fromGroup: GROUP },
        { key: CONFIG_ENV.grpcPort, value: own[CONFIG_ENV.grpcPort] },
        { key: CONFIG_ENV.membershipPort, value: own[CONFIG_ENV.membershipPort] },
        ...(ports.http === undefined
          ? []
          : [{ key: CONFIG_ENV.httpPort, value: String(ports.http) }]),
        hostport(CONFIG_ENV.frontendAddress, 'temporal-frontend'),
        ...databaseEnv,
        { key: 'HEADWAY_STATIC_CONFIG', value: renderStaticConfig(topology, role) },
      ],
    });
  }

  services.push({
    type: 'web',
    name: 'temporal-ui',
    runtime: 'image',
    image: { url: deploy.images.ui },
    envVars: [
      hostport('TEMPORAL_ADDRESS', 'temporal-frontend'),
      { key: 'TEMPORAL_UI_PORT', value: String(UI_PORT) },
      { key: 'PORT', value: String(UI_PORT) },
    ],
  });

  const promFile = `${RENDER_ROOT}/prometheus.yml`;
  services.push({
    type: 'pserv',
    name: 'prometheus',
    runtime: 'image',
    image: { url: deploy.images.prometheus },
    dockerCommand: writeThenExec({ [promFile]: 'HEADWAY_PROMETHEUS_CONFIG' }, [
      '/bin/prometheus',
      `--config.file=${promFile}`,
      '--storage.tsdb.path=/tmp/prometheus',
    ]),
    envVars: [
      {
        key: 'HEADWAY_PROMETHEUS_CONFIG',
        // Render resolves `<service>-discovery` to every instance of a private service.
        value: prometheusConfig(
          Object.fromEntries(TEMPORAL_ROLES.map((r) => [r, `temporal-${r}-discovery`])) as Record<
            TemporalRole,
            string
          >,
        ),
      },
    ],
  });

  if (deploy.copilot.enabled) {
    services.push({
      type: 'pserv',
      name: 'copilot-temporal',
      runtime: 'image',
      image: { url: deploy.images.headway },
      dockerCommand: COPILOT_TEMPORAL_ARGS.join(' '),
    });
    const env = copilotEnvironment(deploy, {
      temporalAddress: 'copilot-temporal:7233',
      prometheusUrl: `http://prometheus:${String(PROMETHEUS_PORT)}`,
      apiHost: 'copilot',
    });
    services.push({
      type: 'pserv',
      name: 'copilot',
      runtime: 'image',
      image: { url: deploy.images.headway },
      dockerCommand: COPILOT_COMMAND.command.join(' '),
      envVars: [
        // Render's private host names come from the service (fromService), not from its name.
        ...Object.entries(env)
          .filter(([key]) => key !== 'HEADWAY_COPILOT_ADDRESS')
          .map(([key, value]) => ({ key, value })),
        hostport('HEADWAY_COPILOT_ADDRESS', 'copilot-temporal'),
        { key: 'PORT', value: String(COPILOT_API_PORT) },
        ...copilotSecrets(deploy).map(secret),
      ],
    });
  }

  if (deploy.bench.replicas > 0) {
    const bench = benchWorkerCommand(deploy);
    services.push({
      type: 'worker',
      name: 'bench-worker',
      runtime: 'image',
      image: { url: deploy.images.headway },
      numInstances: deploy.bench.replicas,
      dockerCommand: bench.command.join(' '),
      envVars: [
        hostport('TEMPORAL_ADDRESS', 'temporal-frontend'),
        ...Object.entries(bench.env).map(([key, value]) => ({ key, value })),
      ],
    });
  }

  const blueprint = {
    databases: [
      {
        name: DATABASE,
        databaseName: 'postgres',
        user: topology.persistence.user,
        plan: 'basic-1gb',
      },
    ],
    envVarGroups: [group],
    services,
  };
  return [
    {
      path: 'render.yaml',
      content: `# ${GENERATED_HEADER}\n# Secrets marked sync: false are set in the Render dashboard; ${SECRET_ENV.postgresPassword} comes from the database.\n${stringify(blueprint, { lineWidth: 0 })}`,
    },
  ];
}
