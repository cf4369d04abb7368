/*
 * Every environment variable Headway reads and the config path it sets. The tables live here, away
 * from the zod schemas they feed, so `headway --help` can list them without loading zod.
 */

/** The `signals` section's variables (docs/health-model.md). */
export const SIGNALS_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  HEADWAY_PROMETHEUS_URL: ['signals', 'prometheus_url'],
  HEADWAY_SERVER_SELECTOR: ['signals', 'server_selector'],
  HEADWAY_WORKER_SELECTOR: ['signals', 'worker_selector'],
  HEADWAY_PROMETHEUS_AUTH: ['signals', 'auth', 'type'],
  HEADWAY_PROMETHEUS_TOKEN: ['signals', 'auth', 'token'],
  HEADWAY_PROMETHEUS_USERNAME: ['signals', 'auth', 'username'],
  HEADWAY_PROMETHEUS_PASSWORD: ['signals', 'auth', 'password'],
  HEADWAY_PROMETHEUS_SIGV4_REGION: ['signals', 'auth', 'region'],
  HEADWAY_LOKI_URL: ['signals', 'loki_url'],
  HEADWAY_LOKI_AUTH: ['signals', 'loki_auth', 'type'],
  HEADWAY_LOKI_TOKEN: ['signals', 'loki_auth', 'token'],
  HEADWAY_LOKI_USERNAME: ['signals', 'loki_auth', 'username'],
  HEADWAY_LOKI_PASSWORD: ['signals', 'loki_auth', 'password'],
};

/** The `copilot` and `store` sections' variables (docs/copilot.md, docs/store.md). */
export const COPILOT_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  HEADWAY_COPILOT_ADDRESS: ['copilot', 'address'],
  HEADWAY_COPILOT_NAMESPACE: ['copilot', 'namespace'],
  HEADWAY_COPILOT_TASK_QUEUE: ['copilot', 'task_queue'],
  HEADWAY_CLUSTER_ID: ['copilot', 'cluster_id'],
  HEADWAY_CADENCE_S: ['copilot', 'cadence_s'],
  HEADWAY_CYCLES_PER_RUN: ['copilot', 'cycles_per_run'],
  HEADWAY_SCHEDULED_INTERVAL_S: ['copilot', 'scheduled_interval_s'],
  HEADWAY_LOG_FILE: ['copilot', 'log_file'],
  HEADWAY_ALERT_WEBHOOKS: ['copilot', 'alerts', 'webhooks'],
  HEADWAY_ALERT_SLACK_WEBHOOKS: ['copilot', 'alerts', 'slack_webhooks'],
  HEADWAY_API_HOST: ['copilot', 'api', 'host'],
  HEADWAY_API_PORT: ['copilot', 'api', 'port'],
  HEADWAY_API_TOKEN: ['copilot', 'api', 'token'],
  HEADWAY_API_CORS_ORIGINS: ['copilot', 'api', 'cors_origins'],
  HEADWAY_API_ALLOWED_HOSTS: ['copilot', 'api', 'allowed_hosts'],
  HEADWAY_STORE_URL: ['store', 'url'],
  HEADWAY_STORE_RETENTION_DAYS: ['store', 'retention_days'],
  HEADWAY_DSQL_ENDPOINT: ['store', 'dsql', 'endpoint'],
  HEADWAY_DSQL_REGION: ['store', 'dsql', 'region'],
};

/** The cluster profile's variables (`stack.cluster`, docs/cluster.md). */
export const CLUSTER_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  HEADWAY_PROFILE: ['stack', 'profile'],
  HEADWAY_TEMPORAL_SERVER_BIN: ['toolchain', 'temporal_server_bin'],
  HEADWAY_TEMPORAL_SQL_TOOL_BIN: ['toolchain', 'temporal_sql_tool_bin'],
  HEADWAY_TEMPORAL_UI_SERVER_BIN: ['toolchain', 'temporal_ui_server_bin'],
  HEADWAY_CLUSTER_BASE_PORT: ['stack', 'cluster', 'base_port'],
  HEADWAY_CLUSTER_POSTGRES_PORT: ['stack', 'cluster', 'postgres', 'port'],
  HEADWAY_CLUSTER_POSTGRES_URL: ['stack', 'cluster', 'postgres', 'url'],
  HEADWAY_CLUSTER_POSTGRES_PASSWORD_FILE: ['stack', 'cluster', 'postgres', 'password_file'],
  HEADWAY_CLUSTER_HISTORY_SHARDS: ['stack', 'cluster', 'topology', 'num_history_shards'],
  HEADWAY_CLUSTER_HISTORY_REPLICAS: [
    'stack',
    'cluster',
    'topology',
    'services',
    'history',
    'replicas',
  ],
  HEADWAY_CLUSTER_MATCHING_REPLICAS: [
    'stack',
    'cluster',
    'topology',
    'services',
    'matching',
    'replicas',
  ],
};

/** The `explain` section's variables (docs/llm.md). */
export const EXPLAIN_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  HEADWAY_LLM_PROVIDER: ['explain', 'provider'],
  HEADWAY_LLM_MODEL: ['explain', 'model'],
  HEADWAY_LLM_BASE_URL: ['explain', 'base_url'],
  HEADWAY_LLM_API_KEY: ['explain', 'api_key'],
  HEADWAY_LLM_REGION: ['explain', 'region'],
  HEADWAY_LLM_MAX_CALLS_PER_HOUR: ['explain', 'max_calls_per_hour'],
};

/**
 * Environment variables Headway reads, and the config path each one sets. Declared only here so
 * there is one list to document and test.
 */
export const ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  HEADWAY_STATE_DIR: ['state_dir'],
  HEADWAY_CACHE_DIR: ['cache_dir'],
  HEADWAY_LOG_LEVEL: ['log_level'],
  HEADWAY_TEMPORAL_BIN: ['toolchain', 'temporal_bin'],
  HEADWAY_PROMETHEUS_BIN: ['toolchain', 'prometheus_bin'],
  HEADWAY_GO_BIN: ['toolchain', 'go_bin'],
  HEADWAY_RELEASE_BASE_URL: ['toolchain', 'release_base_url'],
  HEADWAY_PROMETHEUS_PORT: ['stack', 'prometheus', 'port'],
  HEADWAY_SCRAPE_INTERVAL: ['stack', 'prometheus', 'scrape_interval'],
  HEADWAY_READY_TIMEOUT_S: ['stack', 'ready_timeout_s'],
  HEADWAY_MONITORED_GRPC_PORT: ['stack', 'monitored', 'grpc_port'],
  HEADWAY_MONITORED_UI_PORT: ['stack', 'monitored', 'ui_port'],
  HEADWAY_MONITORED_HTTP_PORT: ['stack', 'monitored', 'http_port'],
  HEADWAY_MONITORED_METRICS_PORT: ['stack', 'monitored', 'metrics_port'],
  HEADWAY_COPILOT_GRPC_PORT: ['stack', 'copilot', 'grpc_port'],
  HEADWAY_COPILOT_UI_PORT: ['stack', 'copilot', 'ui_port'],
  HEADWAY_COPILOT_HTTP_PORT: ['stack', 'copilot', 'http_port'],
  HEADWAY_COPILOT_METRICS_PORT: ['stack', 'copilot', 'metrics_port'],
  ...CLUSTER_ENV_KEYS,
  ...SIGNALS_ENV_KEYS,
  ...COPILOT_ENV_KEYS,
  ...EXPLAIN_ENV_KEYS,
};

/**
 * The SDK's variables Headway layers between `headway.yml` and flags. They are not in `ENV_KEYS`
 * (the table of Headway's own `HEADWAY_*` variables) and only the commands that talk to Temporal
 * apply them, so a `TEMPORAL_TLS` left in a shell never stops `headway up`.
 */
export const TEMPORAL_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  TEMPORAL_TASK_QUEUE: ['temporal', 'task_queue'],
  TEMPORAL_API_KEY: ['temporal', 'api_key'],
  TEMPORAL_TLS: ['temporal', 'tls'],
  TEMPORAL_PROFILE: ['temporal', 'profile'],
};

/** Names the config file; the loader reads it before anything else, so it has no config path. */
export const CONFIG_FILE_ENV = 'HEADWAY_CONFIG';

/** Environment variables of one part of the config, for `headway --help`. */
export interface EnvKeyGroup {
  readonly title: string;
  readonly names: readonly string[];
  /** Where the variables are described. */
  readonly doc?: string;
}

const isStore = (path: readonly string[]): boolean => path[0] === 'store';
const namesOf = (
  table: Readonly<Record<string, readonly string[]>>,
  keep: (path: readonly string[]) => boolean = () => true,
): string[] =>
  Object.entries(table)
    .filter(([, path]) => keep(path))
    .map(([name]) => name);

const sectioned = new Set([
  ...Object.keys(SIGNALS_ENV_KEYS),
  ...Object.keys(COPILOT_ENV_KEYS),
  ...Object.keys(EXPLAIN_ENV_KEYS),
  ...Object.keys(CLUSTER_ENV_KEYS),
]);

/**
 * Every environment variable Headway reads, grouped, straight from the tables the loader applies
 * (`ENV_KEYS` and its sections, `TEMPORAL_ENV_KEYS`), so the help text cannot drift from them.
 */
export const ENV_KEY_GROUPS: readonly EnvKeyGroup[] = [
  {
    title: 'Environment',
    names: [CONFIG_FILE_ENV, ...Object.keys(ENV_KEYS).filter((name) => !sectioned.has(name))],
  },
  { title: 'Signals', names: namesOf(SIGNALS_ENV_KEYS), doc: 'docs/health-model.md' },
  { title: 'Cluster profile', names: namesOf(CLUSTER_ENV_KEYS), doc: 'docs/cluster.md' },
  {
    title: 'Temporal connection for worker, workflow and bench',
    names: namesOf(TEMPORAL_ENV_KEYS),
    doc: 'docs/samples.md',
  },
  {
    title: 'Copilot',
    names: namesOf(COPILOT_ENV_KEYS, (path) => !isStore(path)),
    doc: 'docs/copilot.md',
  },
  { title: 'Store', names: namesOf(COPILOT_ENV_KEYS, isStore), doc: 'docs/store.md' },
  { title: 'Explanations (LLM)', names: namesOf(EXPLAIN_ENV_KEYS), doc: 'docs/llm.md' },
];
