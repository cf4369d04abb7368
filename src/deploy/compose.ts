/**
 * `headway render compose`: docker-compose.yml and .env.example, with the static config files
 * (the exact bytes the cluster profile runs), the dynamic config, Prometheus and Grafana
 * provisioning beside it. Secrets come from .env by Compose interpolation (`${NAME:?}`), never
 * written here.
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
  GRAFANA_DASHBOARD_DIR,
  GRAFANA_PLUGINS,
  benchWorkerCommand,
  containerEnvironment,
  copilotEnvironment,
  copilotSecrets,
  dashboardFolders,
  grafanaDashboardProviders,
  grafanaDatasources,
  prometheusConfig,
  schemaScript,
  serverArgs,
  type RenderAssets,
  type RenderedFile,
} from './common.js';
import {
  CONTAINER_PORTS,
  COPILOT_API_PORT,
  DYNAMIC_CONFIG_DIR,
  GRAFANA_PORT,
  METRICS_PORT,
  PROMETHEUS_PORT,
  SECRET_ENV,
  STATIC_CONFIG_DIR,
  UI_PORT,
  type Deploy,
} from './model.js';

export const COMPOSE_FILE = 'docker-compose.yml';

/** Compose interpolates `$` in the file; `$$` hands a literal `$` to the container. */
const literal = (s: string): string => s.replaceAll('$', () => '$$');
/** A secret from .env: Compose refuses to start when it is unset. */
const fromEnv = (name: string): string => `\${${name}:?set ${name} in .env}`;

export const roleService = (role: TemporalRole): string => `temporal-${role}`;

/** Kubernetes quantities to Compose's: `500m` CPU is 0.5, `512Mi` is `512m` (Docker's m is MiB). */
export function composeCpus(cpu: string): string {
  return cpu.endsWith('m') ? String(Number(cpu.slice(0, -1)) / 1000) : cpu;
}
export function composeMemory(memory: string): string {
  return memory.replace(/Mi$/, 'm').replace(/Gi$/, 'g');
}

function limits(resources: { cpu?: string; memory?: string }): Record<string, string> {
  return {
    ...(resources.cpu === undefined ? {} : { cpus: composeCpus(resources.cpu) }),
    ...(resources.memory === undefined ? {} : { memory: composeMemory(resources.memory) }),
  };
}

export function renderCompose(deploy: Deploy, assets: RenderAssets): RenderedFile[] {
  if (deploy.database.kind !== 'postgres') {
    throw new HeadwayError(
      ErrorCode.Usage,
      'render compose runs PostgreSQL; DSQL renders for ECS only',
      {
        hint: 'use database.kind postgres, or `headway render ecs`',
      },
    );
  }
  const ownPostgres = deploy.database.host === undefined;
  const postgresHost = deploy.database.host ?? 'postgres';
  const postgresPort = deploy.database.port;
  const topology = deploy.topology;
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};

  if (ownPostgres) {
    services.postgres = {
      image: deploy.images.postgres,
      restart: 'unless-stopped',
      environment: {
        POSTGRES_USER: topology.persistence.user,
        POSTGRES_PASSWORD: fromEnv(SECRET_ENV.postgresPassword),
      },
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: {
        test: ['CMD', 'pg_isready', '-U', topology.persistence.user],
        interval: '5s',
        timeout: '5s',
        retries: 30,
      },
    };
    volumes['postgres-data'] = {};
  }

  const databaseEnv = {
    [CONFIG_ENV.postgresHost]: postgresHost,
    [CONFIG_ENV.postgresPort]: String(postgresPort),
    [CONFIG_ENV.postgresPassword]: fromEnv(SECRET_ENV.postgresPassword),
  };
  services['temporal-schema'] = {
    image: deploy.images.admin_tools,
    entrypoint: ['sh', '-c', literal(schemaScript(deploy))],
    environment: databaseEnv,
    ...(ownPostgres ? { depends_on: { postgres: { condition: 'service_healthy' } } } : {}),
  };

  for (const role of TEMPORAL_ROLES) {
    const spec = topology.services[role];
    const env = {
      ...containerEnvironment(role, {
        // Empty: the server listens on and advertises the container's own address.
        bindIp: '',
        broadcastAddress: '',
        frontendAddress: `${roleService('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
        postgresHost,
        postgresPort,
      }),
      [CONFIG_ENV.postgresPassword]: fromEnv(SECRET_ENV.postgresPassword),
    };
    const publish =
      role === 'frontend' && spec.replicas === 1
        ? {
            ports: [
              `127.0.0.1:${String(CONTAINER_PORTS.frontend.grpc)}:${String(CONTAINER_PORTS.frontend.grpc)}`,
            ],
          }
        : {};
    services[roleService(role)] = {
      image: deploy.images.server,
      entrypoint: ['temporal-server'],
      command: serverArgs(role),
      restart: 'unless-stopped',
      environment: env,
      volumes: [
        `./config/temporal:${STATIC_CONFIG_DIR}:ro`,
        `./config/dynamicconfig:${DYNAMIC_CONFIG_DIR}:ro`,
      ],
      ...publish,
      // Ready once its metrics answer, as the cluster profile probes it.
      healthcheck: {
        test: [
          'CMD-SHELL',
          literal(`wget -q -O /dev/null "http://$(hostname -i):${String(METRICS_PORT)}/metrics"`),
        ],
        interval: '10s',
        timeout: '5s',
        retries: 30,
        start_period: '30s',
      },
      depends_on: {
        'temporal-schema': { condition: 'service_completed_successfully' },
        ...(role === 'history'
          ? {}
          : { [roleService('history')]: { condition: 'service_healthy' } }),
      },
      deploy: { replicas: spec.replicas, resources: { limits: limits(spec.resources) } },
    };
  }

  services['temporal-ui'] = {
    image: deploy.images.ui,
    restart: 'unless-stopped',
    environment: {
      TEMPORAL_ADDRESS: `${roleService('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
      TEMPORAL_UI_PORT: String(UI_PORT),
      TEMPORAL_CORS_ORIGINS: `http://localhost:${String(UI_PORT)}`,
    },
    ports: [`127.0.0.1:${String(UI_PORT)}:${String(UI_PORT)}`],
    depends_on: { [roleService('frontend')]: { condition: 'service_healthy' } },
  };

  services.prometheus = {
    image: deploy.images.prometheus,
    restart: 'unless-stopped',
    command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
    volumes: [
      './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
      'prometheus-data:/prometheus',
    ],
    ports: [`127.0.0.1:${String(PROMETHEUS_PORT)}:${String(PROMETHEUS_PORT)}`],
  };
  volumes['prometheus-data'] = {};

  if (deploy.grafana.enabled) {
    services.grafana = {
      image: deploy.images.grafana,
      restart: 'unless-stopped',
      environment: {
        GF_PLUGINS_PREINSTALL: GRAFANA_PLUGINS,
        [SECRET_ENV.grafanaAdminPassword]: fromEnv(SECRET_ENV.grafanaAdminPassword),
        [SECRET_ENV.apiToken]: fromEnv(SECRET_ENV.apiToken),
      },
      volumes: [
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        `./grafana/dashboards:${GRAFANA_DASHBOARD_DIR}:ro`,
        'grafana-data:/var/lib/grafana',
      ],
      ports: [`127.0.0.1:${String(GRAFANA_PORT)}:${String(GRAFANA_PORT)}`],
      depends_on: ['prometheus'],
    };
    volumes['grafana-data'] = {};
  }

  if (deploy.copilot.enabled) {
    services['copilot-temporal'] = {
      image: deploy.images.headway,
      restart: 'unless-stopped',
      command: [...COPILOT_TEMPORAL_ARGS],
      volumes: ['copilot-temporal-data:/data'],
      healthcheck: {
        test: ['CMD', 'temporal', 'operator', 'cluster', 'health', '--address', '127.0.0.1:7233'],
        interval: '5s',
        timeout: '5s',
        retries: 30,
      },
    };
    const copilotEnv: Record<string, string> = copilotEnvironment(deploy, {
      temporalAddress: 'copilot-temporal:7233',
      prometheusUrl: `http://prometheus:${String(PROMETHEUS_PORT)}`,
      apiHost: 'copilot',
    });
    for (const name of copilotSecrets(deploy)) copilotEnv[name] = fromEnv(name);
    services.copilot = {
      image: deploy.images.headway,
      restart: 'unless-stopped',
      command: [...COPILOT_COMMAND.command],
      environment: copilotEnv,
      volumes: ['copilot-data:/data'],
      ports: [`127.0.0.1:${String(COPILOT_API_PORT)}:${String(COPILOT_API_PORT)}`],
      depends_on: {
        'copilot-temporal': { condition: 'service_healthy' },
        'temporal-schema': { condition: 'service_completed_successfully' },
      },
    };
    volumes['copilot-temporal-data'] = {};
    volumes['copilot-data'] = {};
  }

  if (deploy.bench.replicas > 0) {
    const bench = benchWorkerCommand(deploy);
    services['bench-worker'] = {
      image: deploy.images.headway,
      restart: 'unless-stopped',
      command: bench.command,
      environment: {
        TEMPORAL_ADDRESS: `${roleService('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
        ...bench.env,
      },
      deploy: { replicas: deploy.bench.replicas },
      depends_on: { [roleService('frontend')]: { condition: 'service_healthy' } },
    };
  }

  const compose = { name: deploy.name, services, volumes };
  const folders = dashboardFolders(assets);
  return [
    {
      path: COMPOSE_FILE,
      content: `# ${GENERATED_HEADER}\n${stringify(compose, { lineWidth: 0 })}`,
    },
    { path: '.env.example', content: envExample(deploy) },
    ...TEMPORAL_ROLES.map((role) => ({
      path: `config/temporal/${role}.yaml`,
      content: renderStaticConfig(topology, role),
    })),
    { path: 'config/dynamicconfig/dynamicconfig.yaml', content: renderDynamicConfig(topology) },
    {
      path: 'prometheus/prometheus.yml',
      content: prometheusConfig(
        Object.fromEntries(TEMPORAL_ROLES.map((r) => [r, roleService(r)])) as Record<
          TemporalRole,
          string
        >,
      ),
    },
    ...(deploy.grafana.enabled
      ? [
          {
            path: 'grafana/provisioning/datasources/headway.yml',
            content: grafanaDatasources(
              `http://prometheus:${String(PROMETHEUS_PORT)}`,
              `http://copilot:${String(COPILOT_API_PORT)}`,
            ),
          },
          {
            path: 'grafana/provisioning/dashboards/headway.yml',
            content: grafanaDashboardProviders(folders),
          },
          ...assets.dashboards.map((d) => ({
            path: `grafana/dashboards/${d.folder}/${d.file}`,
            content: d.content,
          })),
        ]
      : []),
  ];
}

/** The secrets Compose needs, named with no values: copy to .env and fill in. */
function envExample(deploy: Deploy): string {
  const names = [
    SECRET_ENV.postgresPassword,
    ...(deploy.grafana.enabled ? [SECRET_ENV.grafanaAdminPassword] : []),
    ...(deploy.copilot.enabled ? copilotSecrets(deploy) : []),
  ];
  const hints: Record<string, string> = {
    [SECRET_ENV.postgresPassword]: 'the PostgreSQL password Temporal logs in with',
    [SECRET_ENV.storeUrl]: `postgres://${deploy.topology.persistence.user}:<password>@postgres:5432/headway (the copilot's store)`,
    [SECRET_ENV.apiToken]: 'at least 16 characters; Grafana sends it to the copilot API',
    [SECRET_ENV.grafanaAdminPassword]: "Grafana's admin password",
    [SECRET_ENV.llmApiKey]: 'the LLM provider key (docs/llm.md)',
  };
  const lines = [
    `# ${GENERATED_HEADER}`,
    '# Copy to .env and fill in; .env stays out of version control.',
  ];
  for (const name of [...new Set(names)]) lines.push(`# ${hints[name] ?? name}`, `${name}=`);
  return `${lines.join('\n')}\n`;
}
