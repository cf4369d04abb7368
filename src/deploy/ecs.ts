/**
 * `headway render ecs`: a Terraform module in the shape of the ECS seed (`002_*`): Fargate task
 * definitions and services per role, Service Connect, a Prometheus agent sidecar remote-writing to
 * Amazon Managed Prometheus with SigV4, IAM (secrets, `aps:RemoteWrite`, `dsql:DbConnectAdmin`),
 * log groups, variables and outputs. The static config reaches each task as its init container's
 * environment (it holds no secret) and is written, byte for byte, into a task volume by the
 * server image's own shell; `file()` reads it from config/ beside the module.
 */
import { stringify } from 'yaml';

import { ErrorCode, HeadwayError } from '../errors.js';
import { renderDynamicConfig } from '../topology/dynamic-config.js';
import { CONFIG_ENV, renderStaticConfig } from '../topology/static-config.js';
import { TEMPORAL_ROLES, type TemporalRole, type Topology } from '../topology/model.js';

import {
  COPILOT_COMMAND,
  COPILOT_TEMPORAL_ARGS,
  GENERATED_HEADER,
  SERVER_JOB,
  benchWorkerCommand,
  containerEnvironment,
  copilotEnvironment,
  copilotSecrets,
  schemaScript,
  serverArgs,
  type RenderedFile,
} from './common.js';
import { block, hcl, raw, type HclValue } from './hcl.js';
import {
  CONFIG_ROOT,
  CONTAINER_PORTS,
  COPILOT_API_PORT,
  DYNAMIC_CONFIG_FILE,
  METRICS_PORT,
  SECRET_ENV,
  STATIC_CONFIG_DIR,
  UI_PORT,
  type Deploy,
  type DsqlDatabase,
} from './model.js';

export const ECS_DIR = 'ecs';

/**
 * The static config for DSQL: the tested file with only the default store's SQL block changed to
 * the DSQL plugin (endpoint, IAM user, TLS). Nothing runs it locally; it is for ECS.
 */
export function renderDsqlStaticConfig(
  topology: Topology,
  role: TemporalRole,
  dsql: DsqlDatabase,
): string {
  const text = renderStaticConfig(topology, role);
  // The template is not YAML until the server fills it in (`grpcPort: {{ env … }}`), so the one
  // block is replaced as text: from the default store's key to the visibility store's.
  const start = text.indexOf('\n    default:\n');
  const end = text.indexOf('\n    visibility:\n');
  if (start < 0 || end < start)
    throw new Error('static config layout changed: no default store block');
  const m = topology.persistence.max_conns;
  const block = [
    '    default:',
    '      # Aurora DSQL with IAM auth (the DSQL plugin); visibility stays on PostgreSQL.',
    '      sql:',
    '        pluginName: "dsql"',
    '        databaseName: "postgres"',
    `        connectAddr: "${dsql.endpoint}:5432"`,
    '        connectProtocol: "tcp"',
    `        user: "${dsql.user}"`,
    `        maxConns: ${String(m)}`,
    `        maxIdleConns: ${String(m)}`,
    '        # DSQL closes a connection at 60 minutes; the reservoir renews them well before.',
    '        maxConnLifetime: "55m"',
    '        tls:',
    '          enabled: true',
  ].join('\n');
  return `${text.slice(0, start + 1)}${block}${text.slice(end)}`;
}

/** The DSQL plugin's environment (`000_*` reservoir settings, the ECS module's rate limits). */
export function dsqlEnvironment(dsql: DsqlDatabase): Record<string, string> {
  const r = dsql.reservoir;
  return {
    AWS_REGION: dsql.region,
    TEMPORAL_SQL_IAM_AUTH: 'true',
    TEMPORAL_SQL_AWS_REGION: dsql.region,
    DSQL_CONNECTION_RATE_LIMIT: String(dsql.connection_rate_limit),
    DSQL_CONNECTION_BURST_LIMIT: String(dsql.connection_burst_limit),
    DSQL_RESERVOIR_ENABLED: String(r.enabled),
    DSQL_RESERVOIR_TARGET_READY: String(r.target_ready),
    DSQL_RESERVOIR_BASE_LIFETIME: r.base_lifetime,
    DSQL_RESERVOIR_LIFETIME_JITTER: r.lifetime_jitter,
    DSQL_RESERVOIR_GUARD_WINDOW: r.guard_window,
  };
}

/** ECS task sizes: Kubernetes quantities to CPU units (1024 = 1 vCPU) and MiB. */
export function ecsCpu(cpu: string | undefined): number {
  if (cpu === undefined) return 512;
  return Math.round(
    cpu.endsWith('m') ? (Number(cpu.slice(0, -1)) / 1000) * 1024 : Number(cpu) * 1024,
  );
}
export function ecsMemory(memory: string | undefined): number {
  if (memory === undefined) return 1024;
  return memory.endsWith('Gi') ? Number(memory.slice(0, -2)) * 1024 : Number(memory.slice(0, -2));
}

/** The nearest Fargate size at or above what the containers need (sidecars included). */
export function fargateSize(cpu: number, memory: number): { cpu: number; memory: number } {
  const sizes: [number, number[]][] = [
    [256, [512, 1024, 2048]],
    [512, [1024, 2048, 3072, 4096]],
    [1024, [2048, 3072, 4096, 5120, 6144, 7168, 8192]],
    [2048, Array.from({ length: 13 }, (_, i) => 4096 + i * 1024)],
    [4096, Array.from({ length: 23 }, (_, i) => 8192 + i * 1024)],
    [8192, Array.from({ length: 12 }, (_, i) => 16384 + i * 4096)],
    [16384, Array.from({ length: 12 }, (_, i) => 32768 + i * 8192)],
  ];
  for (const [c, mems] of sizes) {
    if (c < cpu) continue;
    const m = mems.find((x) => x >= memory);
    if (m !== undefined) return { cpu: c, memory: m };
  }
  return { cpu: 16384, memory: 122880 };
}

const logConfig = (service: string): HclValue => ({
  logDriver: 'awslogs',
  options: {
    'awslogs-group': raw(`aws_cloudwatch_log_group.this["${service}"].name`),
    'awslogs-region': raw('var.region'),
    'awslogs-stream-prefix': service,
  },
});
const envList = (env: Record<string, string>): HclValue =>
  Object.entries(env).map(([name, value]) => ({ name, value }));
const secretList = (names: readonly string[]): HclValue =>
  names.map((name) => ({ name, valueFrom: raw(`var.secret_arns["${name}"]`) }));

/** The init container: writes each `path=ENV` file from its own environment, exactly. */
function configInit(image: HclValue, files: Record<string, HclValue>): HclValue {
  const names = Object.keys(files).map((_, i) => `HEADWAY_FILE_${String(i)}`);
  const script = [
    'set -eu',
    ...Object.keys(files).map(
      (path, i) => `mkdir -p "$(dirname ${path})" && printf '%s' "$${names[i] ?? ''}" > ${path}`,
    ),
  ].join('\n');
  return {
    name: 'config-init',
    image,
    essential: false,
    // The task volume belongs to root; the server image's own user only reads it.
    user: '0',
    entryPoint: ['sh', '-c'],
    command: [script],
    environment: Object.values(files).map((value, i) => ({ name: names[i] ?? '', value })),
    mountPoints: [{ sourceVolume: 'config', containerPath: CONFIG_ROOT }],
    logConfiguration: logConfig('config-init'),
  };
}

function agentConfig(deploy: Deploy, role: TemporalRole): string {
  if (deploy.metrics.kind !== 'amp') return '';
  return `# ${GENERATED_HEADER}\n${stringify({
    global: { scrape_interval: '15s' },
    scrape_configs: [
      {
        job_name: SERVER_JOB,
        static_configs: [
          { targets: [`localhost:${String(METRICS_PORT)}`], labels: { service_name: role } },
        ],
      },
    ],
    remote_write: [
      {
        url: `${deploy.metrics.workspace_url}api/v1/remote_write`,
        sigv4: { region: deploy.metrics.region },
        queue_config: { capacity: 10000, max_shards: 50, max_samples_per_send: 2000 },
      },
    ],
  })}`;
}

function service(name: string, attrs: Record<string, HclValue>, connect: HclValue): string {
  return block(
    `resource "aws_ecs_service" "${name.replaceAll('-', '_')}"`,
    {
      name: raw(`"\${var.name}-${name}"`),
      cluster: raw('aws_ecs_cluster.this.id'),
      launch_type: 'FARGATE',
      enable_execute_command: true,
      ...attrs,
    },
    [
      [
        'network_configuration',
        {
          subnets: raw('var.subnet_ids'),
          security_groups: [raw('aws_security_group.tasks.id')],
          assign_public_ip: false,
        },
      ],
      ['service_connect_configuration', connect as Record<string, HclValue>],
    ],
  );
}

const clientOnly: HclValue = {
  enabled: true,
  namespace: raw('aws_service_discovery_http_namespace.this.arn'),
};
function publishes(portName: string, dnsName: string, port: number): HclValue {
  return {
    enabled: true,
    namespace: raw('aws_service_discovery_http_namespace.this.arn'),
    service: [
      { port_name: portName, discovery_name: dnsName, client_alias: [{ dns_name: dnsName, port }] },
    ],
  };
}

function taskDefinition(
  name: string,
  size: { cpu: number; memory: number },
  containers: HclValue[],
  withConfigVolume: boolean,
): string {
  return block(
    `resource "aws_ecs_task_definition" "${name.replaceAll('-', '_')}"`,
    {
      family: raw(`"\${var.name}-${name}"`),
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: String(size.cpu),
      memory: String(size.memory),
      execution_role_arn: raw('aws_iam_role.execution.arn'),
      task_role_arn: raw('aws_iam_role.task.arn'),
      container_definitions: raw(`jsonencode(${hcl(containers, 1)})`),
    },
    withConfigVolume ? [['volume', { name: 'config' }]] : [],
  );
}

export function renderEcs(deploy: Deploy): RenderedFile[] {
  if (deploy.metrics.kind !== 'amp') {
    throw new HeadwayError(
      ErrorCode.Usage,
      'render ecs sends metrics to Amazon Managed Prometheus',
      {
        hint: 'set metrics: { kind: amp, region: …, workspace_url: https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/ }',
      },
    );
  }
  const topology = deploy.topology;
  const dsql = deploy.database.kind === 'dsql' ? deploy.database : undefined;
  const roleSecrets = [SECRET_ENV.postgresPassword];
  const services = [
    ...TEMPORAL_ROLES.map((r) => `temporal-${r}`),
    'temporal-ui',
    'schema',
    'config-init',
    ...(deploy.copilot.enabled ? ['copilot-temporal', 'copilot'] : []),
    ...(deploy.bench.replicas > 0 ? ['bench-worker'] : []),
  ];
  const secretNames = [
    SECRET_ENV.postgresPassword,
    ...(deploy.copilot.enabled ? copilotSecrets(deploy) : []),
  ];
  const frontend = `temporal-frontend:${String(CONTAINER_PORTS.frontend.grpc)}`;
  const files: RenderedFile[] = [];
  const add = (path: string, content: string): void => {
    files.push({ path: `${ECS_DIR}/${path}`, content });
  };

  for (const role of TEMPORAL_ROLES) {
    add(
      `config/temporal/${role}.yaml`,
      dsql === undefined
        ? renderStaticConfig(topology, role)
        : renderDsqlStaticConfig(topology, role, dsql),
    );
    add(`config/prometheus/${role}.yml`, agentConfig(deploy, role));
  }
  add('config/dynamicconfig/dynamicconfig.yaml', renderDynamicConfig(topology));

  const tf: string[] = [`# ${GENERATED_HEADER}`];
  for (const role of TEMPORAL_ROLES) {
    const spec = topology.services[role];
    const ports = CONTAINER_PORTS[role];
    const env = {
      ...containerEnvironment(role, {
        bindIp: '',
        broadcastAddress: '',
        frontendAddress: frontend,
        postgresHost: 'placeholder',
        postgresPort: 5432,
      }),
      ...(dsql === undefined ? {} : dsqlEnvironment(dsql)),
    };
    const envHcl = Object.entries(env).map(([name, value]) => ({
      name,
      value:
        name === CONFIG_ENV.postgresHost
          ? raw('var.postgres_host')
          : name === CONFIG_ENV.postgresPort
            ? raw('tostring(var.postgres_port)')
            : value,
    }));
    const cpu = ecsCpu(spec.resources.cpu);
    const memory = ecsMemory(spec.resources.memory);
    const sidecar = { cpu: 128, memory: 256 };
    const portMappings = [
      { name: 'grpc', containerPort: ports.grpc, protocol: 'tcp' },
      { name: 'membership', containerPort: ports.membership, protocol: 'tcp' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'tcp' },
      ...(ports.http === undefined
        ? []
        : [{ name: 'http', containerPort: ports.http, protocol: 'tcp' }]),
    ];
    const containers: HclValue[] = [
      configInit(raw('var.images.server'), {
        [`${STATIC_CONFIG_DIR}/${role}.yaml`]: raw(
          `file("\${path.module}/config/temporal/${role}.yaml")`,
        ),
        [DYNAMIC_CONFIG_FILE]: raw(
          'file("${path.module}/config/dynamicconfig/dynamicconfig.yaml")',
        ),
        [`${CONFIG_ROOT}/prometheus/agent.yml`]: raw(
          `file("\${path.module}/config/prometheus/${role}.yml")`,
        ),
      }),
      {
        name: role,
        image: raw('var.images.server'),
        essential: true,
        cpu,
        memory,
        entryPoint: ['temporal-server'],
        command: serverArgs(role),
        environment: envHcl,
        secrets: secretList(roleSecrets),
        portMappings,
        mountPoints: [{ sourceVolume: 'config', containerPath: CONFIG_ROOT, readOnly: true }],
        dependsOn: [{ containerName: 'config-init', condition: 'SUCCESS' }],
        healthCheck: {
          command: [
            'CMD-SHELL',
            `wget -q -O /dev/null http://$(hostname -i):${String(METRICS_PORT)}/metrics || exit 1`,
          ],
          interval: 10,
          timeout: 5,
          retries: 3,
          startPeriod: 60,
        },
        logConfiguration: logConfig(`temporal-${role}`),
      },
      {
        name: 'metrics-agent',
        image: raw('var.images.prometheus'),
        essential: false,
        cpu: sidecar.cpu,
        memory: sidecar.memory,
        command: [
          '--agent',
          `--config.file=${CONFIG_ROOT}/prometheus/agent.yml`,
          '--storage.agent.path=/tmp/agent',
        ],
        mountPoints: [{ sourceVolume: 'config', containerPath: CONFIG_ROOT, readOnly: true }],
        dependsOn: [{ containerName: 'config-init', condition: 'SUCCESS' }],
        logConfiguration: logConfig(`temporal-${role}`),
      },
    ];
    const name = `temporal-${role}`;
    tf.push(
      taskDefinition(
        name,
        fargateSize(cpu + sidecar.cpu, memory + sidecar.memory),
        containers,
        true,
      ),
    );
    tf.push(
      service(
        name,
        {
          task_definition: raw(`aws_ecs_task_definition.temporal_${role}.arn`),
          desired_count: raw(`var.replicas.${role}`),
        },
        role === 'frontend' ? publishes('grpc', 'temporal-frontend', ports.grpc) : clientOnly,
      ),
    );
  }

  // The UI, reached by port forwarding (outputs).
  tf.push(
    taskDefinition(
      'temporal-ui',
      { cpu: 256, memory: 512 },
      [
        {
          name: 'ui',
          image: raw('var.images.ui'),
          essential: true,
          environment: envList({ TEMPORAL_ADDRESS: frontend, TEMPORAL_UI_PORT: String(UI_PORT) }),
          portMappings: [{ name: 'http', containerPort: UI_PORT, protocol: 'tcp' }],
          logConfiguration: logConfig('temporal-ui'),
        },
      ],
      false,
    ),
    service(
      'temporal-ui',
      { task_definition: raw('aws_ecs_task_definition.temporal_ui.arn'), desired_count: 1 },
      clientOnly,
    ),
  );

  // The schema task: run once before the services, and again after each upgrade (outputs).
  tf.push(
    taskDefinition(
      'schema',
      { cpu: 256, memory: 512 },
      [
        {
          name: 'schema',
          image: raw('var.images.admin_tools'),
          essential: true,
          entryPoint: ['sh', '-c'],
          command: [schemaScript(deploy)],
          environment: [
            { name: CONFIG_ENV.postgresHost, value: raw('var.postgres_host') },
            { name: CONFIG_ENV.postgresPort, value: raw('tostring(var.postgres_port)') },
          ],
          secrets: secretList([SECRET_ENV.postgresPassword]),
          logConfiguration: logConfig('schema'),
        },
      ],
      false,
    ),
  );

  if (deploy.copilot.enabled) {
    const env = copilotEnvironment(deploy, {
      temporalAddress: 'copilot-temporal:7233',
      prometheusUrl: deploy.metrics.workspace_url,
      apiHost: 'copilot',
    });
    tf.push(
      taskDefinition(
        'copilot-temporal',
        { cpu: 512, memory: 1024 },
        [
          {
            name: 'temporal',
            image: raw('var.images.headway'),
            essential: true,
            entryPoint: ['temporal'],
            command: [...COPILOT_TEMPORAL_ARGS],
            portMappings: [{ name: 'grpc', containerPort: 7233, protocol: 'tcp' }],
            logConfiguration: logConfig('copilot-temporal'),
          },
        ],
        false,
      ),
      service(
        'copilot-temporal',
        { task_definition: raw('aws_ecs_task_definition.copilot_temporal.arn'), desired_count: 1 },
        publishes('grpc', 'copilot-temporal', 7233),
      ),
      taskDefinition(
        'copilot',
        { cpu: 512, memory: 1024 },
        [
          {
            name: 'copilot',
            image: raw('var.images.headway'),
            essential: true,
            command: [...COPILOT_COMMAND.command],
            environment: envList(env),
            secrets: secretList(copilotSecrets(deploy)),
            portMappings: [{ name: 'http', containerPort: COPILOT_API_PORT, protocol: 'tcp' }],
            logConfiguration: logConfig('copilot'),
          },
        ],
        false,
      ),
      service(
        'copilot',
        { task_definition: raw('aws_ecs_task_definition.copilot.arn'), desired_count: 1 },
        publishes('http', 'copilot', COPILOT_API_PORT),
      ),
    );
  }

  if (deploy.bench.replicas > 0) {
    const bench = benchWorkerCommand(deploy);
    tf.push(
      taskDefinition(
        'bench-worker',
        { cpu: 1024, memory: 2048 },
        [
          {
            name: 'bench-worker',
            image: raw('var.images.headway'),
            essential: true,
            command: bench.command,
            environment: envList({ TEMPORAL_ADDRESS: frontend, ...bench.env }),
            logConfiguration: logConfig('bench-worker'),
          },
        ],
        false,
      ),
      service(
        'bench-worker',
        {
          task_definition: raw('aws_ecs_task_definition.bench_worker.arn'),
          desired_count: raw('var.bench_replicas'),
        },
        clientOnly,
      ),
    );
  }

  add('versions.tf', versionsTf());
  add('variables.tf', variablesTf(deploy, secretNames));
  add('main.tf', `${mainTf(deploy, services, secretNames)}\n\n${tf.join('\n\n')}\n`);
  add('outputs.tf', outputsTf());
  return files;
}

function versionsTf(): string {
  return `# ${GENERATED_HEADER}
terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}
`;
}

function variable(name: string, type: string, description: string, def?: HclValue): string {
  return block(`variable "${name}"`, {
    type: raw(type),
    description,
    ...(def === undefined ? {} : { default: def }),
  });
}

function variablesTf(deploy: Deploy, secretNames: readonly string[]): string {
  const t = deploy.topology;
  const dsql = deploy.database.kind === 'dsql' ? deploy.database : undefined;
  const pg = deploy.database.kind === 'postgres' ? deploy.database : undefined;
  return `# ${GENERATED_HEADER}\n${[
    variable('name', 'string', 'Prefix of every resource', deploy.name),
    variable(
      'region',
      'string',
      'AWS region',
      deploy.metrics.kind === 'amp' ? deploy.metrics.region : 'eu-west-1',
    ),
    variable('vpc_id', 'string', 'VPC of the tasks'),
    variable(
      'subnet_ids',
      'list(string)',
      'Private subnets of the tasks (with a NAT or VPC endpoints for ECR, logs, secrets, AMP)',
    ),
    variable(
      'postgres_host',
      'string',
      dsql === undefined
        ? 'PostgreSQL for the default store and visibility (RDS)'
        : 'PostgreSQL for visibility (the default store is DSQL)',
      dsql?.visibility_host ?? pg?.host ?? undefined,
    ),
    variable(
      'postgres_port',
      'number',
      'PostgreSQL port',
      dsql?.visibility_port ?? pg?.port ?? 5432,
    ),
    variable(
      'secret_arns',
      'map(string)',
      `Secrets Manager ARNs by name: ${secretNames.join(', ')}. Values never appear in this module.`,
    ),
    variable('images', 'map(string)', 'Container images', { ...deploy.images }),
    variable(
      'replicas',
      'map(number)',
      'Tasks per Temporal role. History shards are fixed in config/temporal/*.yaml and cannot change once the cluster exists.',
      Object.fromEntries(TEMPORAL_ROLES.map((r) => [r, t.services[r].replicas])),
    ),
    variable('bench_replicas', 'number', 'Benchmark worker tasks (0: none)', deploy.bench.replicas),
    variable('log_retention_days', 'number', 'CloudWatch log retention', 7),
  ].join('\n\n')}\n`;
}

function mainTf(
  deploy: Deploy,
  services: readonly string[],
  secretNames: readonly string[],
): string {
  const dsql = deploy.database.kind === 'dsql' ? deploy.database : undefined;
  const taskStatements: HclValue[] = [
    {
      Effect: 'Allow',
      Action: [
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: [
        'aps:RemoteWrite',
        'aps:QueryMetrics',
        'aps:GetSeries',
        'aps:GetLabels',
        'aps:GetMetricMetadata',
      ],
      Resource: '*',
    },
    ...(dsql === undefined
      ? []
      : [
          {
            Effect: 'Allow',
            Action: ['dsql:DbConnectAdmin', 'dsql:DbConnect'],
            Resource: dsql.cluster_arn,
          },
        ]),
  ];
  return [
    `# ${GENERATED_HEADER}`,
    `# Secrets referenced (never stored here): ${secretNames.join(', ')}.`,
    block('resource "aws_ecs_cluster" "this"', { name: raw('var.name') }, [
      ['setting', { name: 'containerInsights', value: 'enabled' }],
    ]),
    block('resource "aws_service_discovery_http_namespace" "this"', { name: raw('var.name') }),
    block('resource "aws_cloudwatch_log_group" "this"', {
      for_each: raw(`toset(${hcl([...services])})`),
      name: raw('"/ecs/${var.name}/${each.key}"'),
      retention_in_days: raw('var.log_retention_days'),
    }),
    block(
      'resource "aws_security_group" "tasks"',
      {
        name: raw('"${var.name}-tasks"'),
        description:
          'Temporal, the UI and the copilot: every task reaches every other (gRPC, ringpop membership, metrics)',
        vpc_id: raw('var.vpc_id'),
      },
      [
        ['ingress', { from_port: 0, to_port: 65535, protocol: 'tcp', self: true }],
        ['egress', { from_port: 0, to_port: 0, protocol: '-1', cidr_blocks: ['0.0.0.0/0'] }],
      ],
    ),
    [
      'data "aws_iam_policy_document" "assume" {',
      '  statement {',
      '    actions = ["sts:AssumeRole"]',
      '    principals {',
      '      type        = "Service"',
      '      identifiers = ["ecs-tasks.amazonaws.com"]',
      '    }',
      '  }',
      '}',
    ].join('\n'),
    block('resource "aws_iam_role" "execution"', {
      name: raw('"${var.name}-execution"'),
      assume_role_policy: raw('data.aws_iam_policy_document.assume.json'),
    }),
    block('resource "aws_iam_role_policy_attachment" "execution"', {
      role: raw('aws_iam_role.execution.name'),
      policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    }),
    block('resource "aws_iam_role_policy" "execution_secrets"', {
      role: raw('aws_iam_role.execution.id'),
      policy: raw(
        `jsonencode(${hcl({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: raw('values(var.secret_arns)') }] })})`,
      ),
    }),
    block('resource "aws_iam_role" "task"', {
      name: raw('"${var.name}-task"'),
      assume_role_policy: raw('data.aws_iam_policy_document.assume.json'),
    }),
    block('resource "aws_iam_role_policy" "task"', {
      role: raw('aws_iam_role.task.id'),
      policy: raw(`jsonencode(${hcl({ Version: '2012-10-17', Statement: taskStatements })})`),
    }),
  ].join('\n\n');
}

function outputsTf(): string {
  const forward = (port: number): string =>
    `"aws ssm start-session --target ecs:\${aws_ecs_cluster.this.name}_<task-id>_<runtime-id> --document-name AWS-StartPortForwardingSession --parameters portNumber=${String(port)},localPortNumber=${String(port)}"`;
  return `# ${GENERATED_HEADER}\n${[
    block('output "cluster_name"', { value: raw('aws_ecs_cluster.this.name') }),
    block('output "schema_command"', {
      description: 'Run once before the services start, and after every Temporal upgrade',
      value: raw(
        'format("aws ecs run-task --cluster %s --launch-type FARGATE --task-definition %s --network-configuration \'awsvpcConfiguration={subnets=[%s],securityGroups=[%s]}\'", aws_ecs_cluster.this.name, aws_ecs_task_definition.schema.arn, join(",", var.subnet_ids), aws_security_group.tasks.id)',
      ),
    }),
    block('output "ui_port_forward_command"', {
      description:
        'Find <task-id> and <runtime-id> with aws ecs list-tasks and describe-tasks on the temporal-ui service',
      value: raw(forward(UI_PORT)),
    }),
    block('output "copilot_port_forward_command"', { value: raw(forward(COPILOT_API_PORT)) }),
  ].join('\n\n')}\n`;
}
