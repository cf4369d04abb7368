/**
 * `headway render helm`: a Helm chart. The static configs, dynamic config and dashboards are chart
 * files (`files/`, read with `.Files`, so the server's own `{{ env }}` templating is left alone and
 * the bytes are the cluster profile's); a Deployment, headless Service and probes per role; the
 * schema Job as a pre-install/pre-upgrade hook; Prometheus, Grafana, the UI and the copilot.
 * Secrets are `secretKeyRef`s to one existing Secret, never values.
 */
import { stringify } from 'yaml';

import { ErrorCode, HeadwayError } from '../errors.js';
import { renderDynamicConfig } from '../topology/dynamic-config.js';
import { CONFIG_ENV, renderStaticConfig } from '../topology/static-config.js';
import { TEMPORAL_ROLES, TEMPORAL_SERVER_VERSION, type TemporalRole } from '../topology/model.js';

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

export const CHART_DIR = 'headway';
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

/**
 * Values that must reach YAML unquoted (numbers from values.yaml): stringify sees a plain token,
 * `finish` swaps it for the template expression.
 */
class RawExpressions {
  private readonly exprs: string[] = [];
  raw(expr: string): string {
    this.exprs.push(expr);
    return `HELMRAW${String(this.exprs.length - 1)}X`;
  }
  finish(text: string): string {
    return text.replace(/HELMRAW(\d+)X/g, (_, i: string) => `{{ ${this.exprs[Number(i)] ?? ''} }}`);
  }
}

const rel = (suffix: string): string => `{{ .Release.Name }}-${suffix}`;
const roleName = (role: TemporalRole): string => rel(`temporal-${role}`);
const labels = (component: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'headway',
  'app.kubernetes.io/instance': '{{ .Release.Name }}',
  'app.kubernetes.io/component': component,
});
const secretRef = (key: string) => ({
  name: key,
  valueFrom: { secretKeyRef: { name: '{{ .Values.secrets.existingSecret }}', key } },
});
const plainEnv = (env: Record<string, string>) =>
  Object.entries(env).map(([name, value]) => ({ name, value }));
const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function manifest(r: RawExpressions, docs: readonly object[], when?: string): string {
  const body = docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  const text = `# ${GENERATED_HEADER}\n${when === undefined ? body : `{{- if ${when} }}\n${body}{{- end }}\n`}`;
  return r.finish(text);
}

function deployment(
  r: RawExpressions,
  name: string,
  component: string,
  replicas: string | number,
  pod: Record<string, unknown>,
): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(component) },
    spec: {
      replicas: typeof replicas === 'number' ? replicas : r.raw(replicas),
      selector: { matchLabels: labels(component) },
      template: { metadata: { labels: labels(component) }, spec: pod },
    },
  };
}

function service(
  name: string,
  component: string,
  ports: [string, number][],
  headless = false,
): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(component) },
    spec: {
      ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}),
      selector: labels(component),
      ports: ports.map(([portName, port]) => ({ name: portName, port, targetPort: port })),
    },
  };
}

function configMap(name: string, component: string, filesGlob: string): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    ...Object.entries(labels(component)).map(([k, v]) => `    ${k}: "${v}"`),
    'data:',
    `  {{- (.Files.Glob "${filesGlob}").AsConfig | nindent 2 }}`,
    '',
  ].join('\n');
}

function values(deploy: Deploy, ownPostgres: boolean): string {
  const t = deploy.topology;
  const doc = {
    images: deploy.images,
    secrets: { existingSecret: `${deploy.name}-secrets` },
    postgres: {
      enabled: ownPostgres,
      host: deploy.database.kind === 'postgres' ? (deploy.database.host ?? '') : '',
      port: deploy.database.kind === 'postgres' ? deploy.database.port : 5432,
      storage: '10Gi',
    },
    temporal: Object.fromEntries(
      TEMPORAL_ROLES.map((role) => [
        role,
        { replicas: t.services[role].replicas, resources: t.services[role].resources },
      ]),
    ),
    grafana: { enabled: deploy.grafana.enabled },
    copilot: { enabled: deploy.copilot.enabled },
    bench: { replicas: deploy.bench.replicas },
  };
  return [
    `# ${GENERATED_HEADER}`,
    '# Replicas and resources may change here. Shards, persistence and log level are in the static',
    '# config files (files/temporal); history shards can never change once the cluster exists.',
    '# secrets.existingSecret names a Secret you create (docs/deploy.md) with the keys',
    `# ${[SECRET_ENV.postgresPassword, SECRET_ENV.grafanaAdminPassword, ...copilotSecrets(deploy)].join(', ')}.`,
    stringify(doc, { lineWidth: 0 }),
  ].join('\n');
}

export function renderHelm(deploy: Deploy, assets: RenderAssets): RenderedFile[] {
  if (deploy.database.kind !== 'postgres') {
    throw new HeadwayError(
      ErrorCode.Usage,
      'render helm runs PostgreSQL; DSQL renders for ECS only',
      {
        hint: 'use database.kind postgres, or `headway render ecs`',
      },
    );
  }
  const ownPostgres = deploy.database.host === undefined;
  const topology = deploy.topology;
  const files: RenderedFile[] = [];
  const add = (path: string, content: string): void => {
    files.push({ path: `${CHART_DIR}/${path}`, content });
  };
  const postgresHost =
    '{{ if .Values.postgres.enabled }}{{ .Release.Name }}-postgres{{ else }}{{ .Values.postgres.host }}{{ end }}';

  add(
    'Chart.yaml',
    `# ${GENERATED_HEADER}\n${stringify({
      apiVersion: 'v2',
      name: CHART_DIR,
      description:
        'A Temporal cluster (frontend, history, matching, worker on PostgreSQL) with the Headway copilot watching it',
      type: 'application',
      version: '0.1.0',
      appVersion: TEMPORAL_SERVER_VERSION,
    })}`,
  );
  add('values.yaml', values(deploy, ownPostgres));
  add('.helmignore', '# Generated by `headway render`.\n.git/\n*.tgz\n');

  for (const role of TEMPORAL_ROLES) {
    add(`files/temporal/${role}.yaml`, renderStaticConfig(topology, role));
  }
  add('files/dynamicconfig/dynamicconfig.yaml', renderDynamicConfig(topology));
  for (const d of assets.dashboards) add(`files/dashboards/${d.folder}/${d.file}`, d.content);

  add(
    'templates/configmap-temporal.yaml',
    configMap(rel('temporal-config'), 'temporal', 'files/temporal/*.yaml'),
  );
  add(
    'templates/configmap-dynamicconfig.yaml',
    configMap(rel('temporal-dynamicconfig'), 'temporal', 'files/dynamicconfig/*.yaml'),
  );

  // The schema Job: before the services on install and upgrade, retried until PostgreSQL answers.
  {
    const r = new RawExpressions();
    const hook = {
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    };
    add(
      'templates/job-schema.yaml',
      manifest(r, [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: rel('temporal-schema'), labels: labels('schema'), annotations: hook },
          spec: {
            backoffLimit: 30,
            template: {
              metadata: { labels: labels('schema') },
              spec: {
                restartPolicy: 'OnFailure',
                containers: [
                  {
                    name: 'schema',
                    image: '{{ .Values.images.admin_tools }}',
                    command: ['sh', '-c', schemaScript(deploy)],
                    env: [
                      { name: CONFIG_ENV.postgresHost, value: postgresHost },
                      { name: CONFIG_ENV.postgresPort, value: '{{ .Values.postgres.port }}' },
                      secretRef(SECRET_ENV.postgresPassword),
                    ],
                    securityContext: restricted,
                  },
                ],
              },
            },
          },
        },
      ]),
    );
  }

  // The chart's own PostgreSQL (evaluation; point postgres.host at a managed one for production).
  // A pre-install hook so it exists before the schema Job; hooks are not deleted on uninstall.
  {
    const r = new RawExpressions();
    const hook = { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': '-10' };
    const component = 'postgres';
    add(
      'templates/postgres.yaml',
      manifest(
        r,
        [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: rel('postgres'), labels: labels(component), annotations: hook },
            spec: {
              selector: labels(component),
              ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
            },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: rel('postgres'), labels: labels(component), annotations: hook },
            spec: {
              serviceName: rel('postgres'),
              replicas: 1,
              selector: { matchLabels: labels(component) },
              template: {
                metadata: { labels: labels(component) },
                spec: {
                  containers: [
                    {
                      name: 'postgres',
                      image: '{{ .Values.images.postgres }}',
                      env: [
                        { name: 'POSTGRES_USER', value: topology.persistence.user },
                        secretRef(SECRET_ENV.postgresPassword),
                        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                      ],
                      ports: [{ name: 'postgres', containerPort: 5432 }],
                      readinessProbe: {
                        exec: { command: ['pg_isready', '-U', topology.persistence.user] },
                        periodSeconds: 5,
                      },
                      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
                    },
                  ],
                },
              },
              volumeClaimTemplates: [
                {
                  metadata: { name: 'data' },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: '{{ .Values.postgres.storage }}' } },
                  },
                },
              ],
            },
          },
        ],
        '.Values.postgres.enabled',
      ),
    );
  }

  for (const role of TEMPORAL_ROLES) {
    const r = new RawExpressions();
    const ports = CONTAINER_PORTS[role];
    const env = containerEnvironment(role, {
      bindIp: '',
      broadcastAddress: '',
      frontendAddress: `${roleName('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
      postgresHost,
      postgresPort: 0,
    });
    const podIp = { valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };
    const containerEnv: object[] = Object.entries(env).map(([name, value]) => {
      if (name === CONFIG_ENV.bindIp || name === CONFIG_ENV.broadcastAddress)
        return { name, ...podIp };
      if (name === CONFIG_ENV.postgresPort) return { name, value: '{{ .Values.postgres.port }}' };
      return { name, value };
    });
    containerEnv.push(secretRef(SECRET_ENV.postgresPassword));
    const portList: [string, number][] = [
      ['grpc', ports.grpc],
      ['membership', ports.membership],
      ['metrics', METRICS_PORT],
      ...(ports.http === undefined ? [] : ([['http', ports.http]] as [string, number][])),
    ];
    const v = `.Values.temporal.${role}`;
    const readinessProbe =
      role === 'frontend'
        ? { grpc: { port: ports.grpc, service: WORKFLOW_SERVICE }, periodSeconds: 5 }
        : { httpGet: { path: '/metrics', port: METRICS_PORT }, periodSeconds: 5 };
    const docs = [
      deployment(r, roleName(role), `temporal-${role}`, `${v}.replicas`, {
        containers: [
          {
            name: role,
            image: '{{ .Values.images.server }}',
            command: ['temporal-server'],
            args: serverArgs(role),
            env: containerEnv,
            ports: portList.map(([name, containerPort]) => ({ name, containerPort })),
            resources: {
              requests: {
                cpu: r.raw(`${v}.resources.cpu | quote`),
                memory: r.raw(`${v}.resources.memory | quote`),
              },
              limits: { memory: r.raw(`${v}.resources.memory | quote`) },
            },
            startupProbe: {
              tcpSocket: { port: ports.grpc },
              periodSeconds: 5,
              failureThreshold: 60,
            },
            readinessProbe,
            livenessProbe: {
              tcpSocket: { port: ports.grpc },
              periodSeconds: 10,
              failureThreshold: 6,
            },
            volumeMounts: [
              { name: 'config', mountPath: STATIC_CONFIG_DIR, readOnly: true },
              { name: 'dynamicconfig', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true },
            ],
            securityContext: restricted,
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: rel('temporal-config') } },
          { name: 'dynamicconfig', configMap: { name: rel('temporal-dynamicconfig') } },
        ],
      }),
      // Membership: every instance by its own address, ready or not (ringpop bootstraps from it).
      service(rel(`temporal-${role}-headless`), `temporal-${role}`, portList, true),
      ...(role === 'frontend'
        ? [
            service(
              roleName('frontend'),
              'temporal-frontend',
              portList.filter(([n]) => n !== 'membership'),
            ),
          ]
        : []),
    ];
    add(`templates/temporal-${role}.yaml`, manifest(r, docs));
  }

  {
    const r = new RawExpressions();
    add(
      'templates/temporal-ui.yaml',
      manifest(r, [
        deployment(r, rel('temporal-ui'), 'temporal-ui', 1, {
          containers: [
            {
              name: 'ui',
              image: '{{ .Values.images.ui }}',
              env: plainEnv({
                TEMPORAL_ADDRESS: `${roleName('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
                TEMPORAL_UI_PORT: String(UI_PORT),
              }),
              ports: [{ name: 'http', containerPort: UI_PORT }],
              readinessProbe: { tcpSocket: { port: UI_PORT }, periodSeconds: 5 },
              securityContext: restricted,
            },
          ],
        }),
        service(rel('temporal-ui'), 'temporal-ui', [['http', UI_PORT]]),
      ]),
    );
  }

  {
    const r = new RawExpressions();
    const names = Object.fromEntries(
      TEMPORAL_ROLES.map((role) => [
        role,
        `${rel(`temporal-${role}-headless`)}.{{ .Release.Namespace }}.svc`,
      ]),
    ) as Record<TemporalRole, string>;
    const config = prometheusConfig(names);
    add(
      'templates/prometheus.yaml',
      `${manifest(r, [
        deployment(r, rel('prometheus'), 'prometheus', 1, {
          containers: [
            {
              name: 'prometheus',
              image: '{{ .Values.images.prometheus }}',
              args: [
                '--config.file=/etc/prometheus/prometheus.yml',
                '--storage.tsdb.path=/prometheus',
              ],
              ports: [{ name: 'http', containerPort: PROMETHEUS_PORT }],
              readinessProbe: {
                httpGet: { path: '/-/ready', port: PROMETHEUS_PORT },
                periodSeconds: 5,
              },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
                { name: 'data', mountPath: '/prometheus' },
              ],
              securityContext: restricted,
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: rel('prometheus') } },
            { name: 'data', emptyDir: {} },
          ],
        }),
        service(rel('prometheus'), 'prometheus', [['http', PROMETHEUS_PORT]]),
      ])}---\n${inlineConfigMap(rel('prometheus'), 'prometheus', { 'prometheus.yml': config })}`,
    );
  }

  {
    const r = new RawExpressions();
    const folders = dashboardFolders(assets);
    const grafanaEnv = [
      { name: 'GF_PLUGINS_PREINSTALL', value: GRAFANA_PLUGINS },
      secretRef(SECRET_ENV.grafanaAdminPassword),
      secretRef(SECRET_ENV.apiToken),
    ];
    const docs: string[] = [
      manifest(r, [
        deployment(r, rel('grafana'), 'grafana', 1, {
          containers: [
            {
              name: 'grafana',
              image: '{{ .Values.images.grafana }}',
              env: grafanaEnv,
              ports: [{ name: 'http', containerPort: GRAFANA_PORT }],
              readinessProbe: {
                httpGet: { path: '/api/health', port: GRAFANA_PORT },
                periodSeconds: 5,
              },
              volumeMounts: [
                {
                  name: 'datasources',
                  mountPath: '/etc/grafana/provisioning/datasources',
                  readOnly: true,
                },
                {
                  name: 'providers',
                  mountPath: '/etc/grafana/provisioning/dashboards',
                  readOnly: true,
                },
                ...folders.map((f) => ({
                  name: `dashboards-${f}`,
                  mountPath: `${GRAFANA_DASHBOARD_DIR}/${f}`,
                  readOnly: true,
                })),
              ],
              securityContext: restricted,
            },
          ],
          volumes: [
            { name: 'datasources', configMap: { name: rel('grafana-datasources') } },
            { name: 'providers', configMap: { name: rel('grafana-providers') } },
            ...folders.map((f) => ({
              name: `dashboards-${f}`,
              configMap: { name: rel(`grafana-dashboards-${f}`) },
            })),
          ],
        }),
        service(rel('grafana'), 'grafana', [['http', GRAFANA_PORT]]),
      ]),
      inlineConfigMap(rel('grafana-datasources'), 'grafana', {
        'headway.yml': grafanaDatasources(
          `http://${rel('prometheus')}:${String(PROMETHEUS_PORT)}`,
          `http://${rel('copilot')}:${String(COPILOT_API_PORT)}`,
        ),
      }),
      inlineConfigMap(rel('grafana-providers'), 'grafana', {
        'headway.yml': grafanaDashboardProviders(folders),
      }),
      ...folders.map((f) =>
        configMap(rel(`grafana-dashboards-${f}`), 'grafana', `files/dashboards/${f}/*.json`),
      ),
    ];
    add(
      'templates/grafana.yaml',
      `{{- if .Values.grafana.enabled }}\n${docs.join('---\n')}{{- end }}\n`,
    );
  }

  if (deploy.copilot.enabled) {
    const r = new RawExpressions();
    const env = copilotEnvironment(deploy, {
      temporalAddress: `${rel('copilot-temporal')}:7233`,
      prometheusUrl: `http://${rel('prometheus')}:${String(PROMETHEUS_PORT)}`,
      apiHost: rel('copilot'),
    });
    const nonRoot = { runAsNonRoot: true, ...restricted };
    add(
      'templates/copilot.yaml',
      manifest(
        r,
        [
          deployment(r, rel('copilot-temporal'), 'copilot-temporal', 1, {
            containers: [
              {
                name: 'temporal',
                image: '{{ .Values.images.headway }}',
                args: [...COPILOT_TEMPORAL_ARGS],
                ports: [{ name: 'grpc', containerPort: 7233 }],
                readinessProbe: {
                  grpc: { port: 7233, service: WORKFLOW_SERVICE },
                  periodSeconds: 5,
                },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                securityContext: nonRoot,
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          }),
          service(rel('copilot-temporal'), 'copilot-temporal', [['grpc', 7233]]),
          deployment(r, rel('copilot'), 'copilot', 1, {
            containers: [
              {
                name: 'copilot',
                image: '{{ .Values.images.headway }}',
                args: [...COPILOT_COMMAND.command],
                env: [...plainEnv(env), ...copilotSecrets(deploy).map(secretRef)],
                ports: [{ name: 'http', containerPort: COPILOT_API_PORT }],
                readinessProbe: { tcpSocket: { port: COPILOT_API_PORT }, periodSeconds: 5 },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                securityContext: nonRoot,
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          }),
          service(rel('copilot'), 'copilot', [['http', COPILOT_API_PORT]]),
        ],
        '.Values.copilot.enabled',
      ),
    );
  }

  {
    const r = new RawExpressions();
    const bench = benchWorkerCommand(deploy);
    add(
      'templates/bench-worker.yaml',
      manifest(
        r,
        [
          deployment(r, rel('bench-worker'), 'bench-worker', '.Values.bench.replicas', {
            containers: [
              {
                name: 'bench-worker',
                image: '{{ .Values.images.headway }}',
                args: bench.command,
                env: plainEnv({
                  TEMPORAL_ADDRESS: `${roleName('frontend')}:${String(CONTAINER_PORTS.frontend.grpc)}`,
                  ...bench.env,
                }),
                securityContext: { runAsNonRoot: true, ...restricted },
              },
            ],
          }),
        ],
        'gt (int .Values.bench.replicas) 0',
      ),
    );
  }

  return files;
}

/** A ConfigMap whose data are strings rendered here (they may hold Helm expressions). */
function inlineConfigMap(name: string, component: string, data: Record<string, string>): string {
  return `${stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: labels(component) }, data }, { lineWidth: 0, blockQuote: 'literal' })}`;
}
