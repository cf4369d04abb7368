import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { loadConfig, override } from './load.js';
import { ENV_KEYS } from './env-keys.js';
import { listPorts } from './schema.js';

let dir: string;
let home: string;
let cwd: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
  home = join(dir, 'home');
  cwd = join(dir, 'work');
  mkdirSync(home);
  mkdirSync(cwd);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeYaml(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

/** Runs `fn`, expecting a HeadwayError, and returns it. */
function catchHeadwayError(fn: () => unknown): HeadwayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadwayError);
    return err as HeadwayError;
  }
  throw new Error('expected a HeadwayError, but nothing was thrown');
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(isDeepFrozen);
}

describe('loadConfig defaults', () => {
  it('uses the documented ports, intervals and HOME-based directories', () => {
    const { config, file } = loadConfig({ env: { HOME: home }, cwd });
    expect(file).toBeUndefined();
    expect(config.state_dir).toBe(join(home, '.local', 'state', 'headway'));
    expect(config.cache_dir).toBe(join(home, '.cache', 'headway'));
    expect(config.stack.monitored).toEqual({
      grpc_port: 7233,
      ui_port: 8233,
      http_port: 7243,
      metrics_port: 9233,
      ui: true,
      log_level: 'info',
      namespaces: [],
    });
    expect(config.stack.copilot).toEqual({
      grpc_port: 7234,
      ui_port: 8234,
      http_port: 7244,
      metrics_port: 9234,
      ui: true,
      log_level: 'warn',
      namespaces: [],
    });
    expect(config.stack.prometheus).toEqual({ port: 9090, scrape_interval: '5s', retention: '7d' });
    expect(config.stack.ready_timeout_s).toBe(90);
    expect(config.toolchain).toEqual({});
  });

  it('puts state and cache under XDG_STATE_HOME and XDG_CACHE_HOME when set', () => {
    const xdgState = join(dir, 'xdg-state');
    const xdgCache = join(dir, 'xdg-cache');
    const { config } = loadConfig({
      env: { HOME: home, XDG_STATE_HOME: xdgState, XDG_CACHE_HOME: xdgCache },
      cwd,
    });
    expect(config.state_dir).toBe(join(xdgState, 'headway'));
    expect(config.cache_dir).toBe(join(xdgCache, 'headway'));
  });

  it('ignores empty or blank XDG variables', () => {
    const { config } = loadConfig({
      env: { HOME: home, XDG_STATE_HOME: '', XDG_CACHE_HOME: '   ' },
      cwd,
    });
    expect(config.state_dir).toBe(join(home, '.local', 'state', 'headway'));
    expect(config.cache_dir).toBe(join(home, '.cache', 'headway'));
  });

  it('returns a deeply frozen config', () => {
    writeYaml(join(cwd, 'headway.yml'), 'stack:\n  monitored:\n    namespaces: [orders]\n');
    const { config } = loadConfig({ env: { HOME: home }, cwd });
    expect(isDeepFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.stack.monitored.namespaces)).toBe(true);
    expect(() => {
      (config.stack.prometheus as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.stack.prometheus.port).toBe(9090);
  });
});

describe('loadConfig precedence', () => {
  it('reads ./headway.yml from the cwd over the defaults', () => {
    const path = writeYaml(
      join(cwd, 'headway.yml'),
      [
        'stack:',
        '  monitored:',
        '    grpc_port: 17233',
        '    namespaces: [orders, billing]',
        '  prometheus:',
        '    scrape_interval: 10s',
        '  ready_timeout_s: 30',
      ].join('\n'),
    );
    const { config, file } = loadConfig({ env: { HOME: home }, cwd });
    expect(file).toBe(path);
    expect(config.stack.monitored.grpc_port).toBe(17233);
    expect(config.stack.monitored.namespaces).toEqual(['orders', 'billing']);
    // Keys the file does not set keep their defaults, in the same nested object.
    expect(config.stack.monitored.ui_port).toBe(8233);
    expect(config.stack.prometheus.scrape_interval).toBe('10s');
    expect(config.stack.prometheus.port).toBe(9090);
    expect(config.stack.ready_timeout_s).toBe(30);
  });

  it('applies defaults < file < environment < flags, key by key', () => {
    writeYaml(
      join(cwd, 'headway.yml'),
      [
        'stack:',
        '  monitored:',
        '    grpc_port: 17233',
        '  prometheus:',
        '    port: 9100',
        '    scrape_interval: 10s',
      ].join('\n'),
    );
    const env = {
      HOME: home,
      HEADWAY_PROMETHEUS_PORT: '9200',
      HEADWAY_SCRAPE_INTERVAL: '15s',
    };

    const fileOnly = loadConfig({ env: { HOME: home }, cwd }).config;
    expect(fileOnly.stack.prometheus.port).toBe(9100);

    const withEnv = loadConfig({ env, cwd }).config;
    expect(withEnv.stack.prometheus.port).toBe(9200);
    expect(withEnv.stack.prometheus.scrape_interval).toBe('15s');
    expect(withEnv.stack.monitored.grpc_port).toBe(17233);

    const withFlags = loadConfig({
      env,
      cwd,
      flags: override(['stack', 'prometheus', 'port'], 9300),
    }).config;
    expect(withFlags.stack.prometheus.port).toBe(9300);
    // Only the flag's key is overridden; the environment still wins over the file elsewhere.
    expect(withFlags.stack.prometheus.scrape_interval).toBe('15s');
    expect(withFlags.stack.monitored.grpc_port).toBe(17233);
    expect(withFlags.stack.prometheus.retention).toBe('7d');
  });

  it('ignores flags whose value is undefined', () => {
    const { config } = loadConfig({
      env: { HOME: home, HEADWAY_PROMETHEUS_PORT: '9200' },
      cwd,
      flags: {
        ...override(['stack', 'copilot', 'grpc_port'], undefined),
        stack: { prometheus: { port: undefined } },
      },
    });
    expect(config.stack.prometheus.port).toBe(9200);
    expect(config.stack.copilot.grpc_port).toBe(7234);
  });

  it('maps every HEADWAY_* variable in ENV_KEYS to its config path', () => {
    const values: Record<string, string> = {
      HEADWAY_STATE_DIR: '/srv/state',
      HEADWAY_CACHE_DIR: '/srv/cache',
      HEADWAY_LOG_LEVEL: 'debug',
      HEADWAY_TEMPORAL_BIN: '/opt/temporal',
      HEADWAY_PROMETHEUS_BIN: '/opt/prometheus',
      HEADWAY_GO_BIN: '/opt/go/bin/go',
      HEADWAY_RELEASE_BASE_URL: 'http://mirror.example:8080',
      HEADWAY_PROMETHEUS_PORT: '19090',
      HEADWAY_SCRAPE_INTERVAL: '30s',
      HEADWAY_READY_TIMEOUT_S: '120',
      HEADWAY_MONITORED_GRPC_PORT: '17233',
      HEADWAY_MONITORED_UI_PORT: '18233',
      HEADWAY_MONITORED_HTTP_PORT: '17243',
      HEADWAY_MONITORED_METRICS_PORT: '19233',
      HEADWAY_COPILOT_GRPC_PORT: '17234',
      HEADWAY_COPILOT_UI_PORT: '18234',
      HEADWAY_COPILOT_HTTP_PORT: '17244',
      HEADWAY_COPILOT_METRICS_PORT: '19234',
      HEADWAY_PROMETHEUS_URL: 'https://aps.example/workspaces/ws-1',
      HEADWAY_SERVER_SELECTOR: 'cluster="prod"',
      HEADWAY_WORKER_SELECTOR: 'job="workers"',
      HEADWAY_PROMETHEUS_AUTH: 'basic',
      HEADWAY_PROMETHEUS_TOKEN: 'tok',
      HEADWAY_PROMETHEUS_USERNAME: 'ops',
      HEADWAY_PROMETHEUS_PASSWORD: 'secret',
      HEADWAY_PROMETHEUS_SIGV4_REGION: 'eu-west-1',
      HEADWAY_LOKI_URL: 'http://loki.example:3100',
      HEADWAY_LOKI_AUTH: 'basic',
      HEADWAY_LOKI_TOKEN: 'loki-tok',
      HEADWAY_LOKI_USERNAME: 'loki-ops',
      HEADWAY_LOKI_PASSWORD: 'loki-secret',
      HEADWAY_COPILOT_ADDRESS: 'copilot.example:7233',
      HEADWAY_COPILOT_NAMESPACE: 'ops',
      HEADWAY_COPILOT_TASK_QUEUE: 'copilot-q',
      HEADWAY_CLUSTER_ID: 'prod-eu',
      HEADWAY_CADENCE_S: '15',
      HEADWAY_CYCLES_PER_RUN: '50',
      HEADWAY_SCHEDULED_INTERVAL_S: '120',
      HEADWAY_LOG_FILE: '/var/log/temporal.log',
      HEADWAY_ALERT_WEBHOOKS: 'https://alerts.example/hook',
      HEADWAY_ALERT_SLACK_WEBHOOKS: 'https://hooks.slack.example/T0/B0/x',
      HEADWAY_API_HOST: '0.0.0.0',
      HEADWAY_API_PORT: '18081',
      HEADWAY_API_TOKEN: 'a-token-of-sixteen-chars',
      HEADWAY_API_CORS_ORIGINS: 'https://grafana.example',
      HEADWAY_API_ALLOWED_HOSTS: 'copilot.example',
      HEADWAY_STORE_URL: 'postgres://copilot@db.example:5432/copilot',
      HEADWAY_STORE_RETENTION_DAYS: '14',
      HEADWAY_DSQL_ENDPOINT: 'abc.dsql.eu-west-1.on.aws',
      HEADWAY_DSQL_REGION: 'eu-west-1',
      HEADWAY_LLM_PROVIDER: 'openai-compatible',
      HEADWAY_LLM_MODEL: 'llama3.1:8b',
      HEADWAY_LLM_BASE_URL: 'http://localhost:11434/v1',
      HEADWAY_LLM_API_KEY: 'sk-local-test',
      HEADWAY_LLM_REGION: 'eu-west-1',
      HEADWAY_LLM_MAX_CALLS_PER_HOUR: '30',
      HEADWAY_PROFILE: 'cluster',
      HEADWAY_TEMPORAL_SERVER_BIN: '/opt/temporal-server',
      HEADWAY_TEMPORAL_SQL_TOOL_BIN: '/opt/temporal-sql-tool',
      HEADWAY_TEMPORAL_UI_SERVER_BIN: '/opt/temporal-ui-server',
      HEADWAY_CLUSTER_BASE_PORT: '7400',
      HEADWAY_CLUSTER_POSTGRES_PORT: '15532',
      HEADWAY_CLUSTER_POSTGRES_URL: 'postgres://temporal@db.example:5432/',
      HEADWAY_CLUSTER_POSTGRES_PASSWORD_FILE: '/run/secrets/temporal-db',
      HEADWAY_CLUSTER_HISTORY_SHARDS: '8',
      HEADWAY_CLUSTER_HISTORY_REPLICAS: '3',
      HEADWAY_CLUSTER_MATCHING_REPLICAS: '3',
    };
    // The table above must cover every variable Headway documents.
    expect(Object.keys(values).sort()).toEqual(Object.keys(ENV_KEYS).sort());

    // A store URL and a DSQL endpoint together are rejected, so check them in two loads.
    const check = (env: Record<string, string>): void => {
      const { config } = loadConfig({ env: { HOME: home, ...env }, cwd });
      for (const key of Object.keys(env)) {
        const path = ENV_KEYS[key] ?? [];
        let node: unknown = config;
        for (const segment of path) node = (node as Record<string, unknown>)[segment];
        const raw = env[key] ?? '';
        const expected =
          key === 'HEADWAY_API_CORS_ORIGINS' ||
          key === 'HEADWAY_API_ALLOWED_HOSTS' ||
          key === 'HEADWAY_ALERT_WEBHOOKS' ||
          key === 'HEADWAY_ALERT_SLACK_WEBHOOKS'
            ? [raw]
            : /^[0-9]+$/.test(raw)
              ? Number(raw)
              : raw;
        expect(node, key).toEqual(expected);
      }
    };
    const { HEADWAY_STORE_URL: storeUrl = '', ...rest } = values;
    check(rest);
    check({ HEADWAY_STORE_URL: storeUrl });
  });

  it('ignores environment variables set to an empty string', () => {
    writeYaml(join(cwd, 'headway.yml'), 'stack:\n  prometheus:\n    port: 9100\n');
    const { config } = loadConfig({
      env: {
        HOME: home,
        HEADWAY_PROMETHEUS_PORT: '',
        HEADWAY_STATE_DIR: '',
        HEADWAY_TEMPORAL_BIN: ' ',
      },
      cwd,
    });
    expect(config.stack.prometheus.port).toBe(9100);
    expect(config.state_dir).toBe(join(home, '.local', 'state', 'headway'));
    expect(config.toolchain.temporal_bin).toBeUndefined();
  });
});

describe('loadConfig paths', () => {
  it('resolves relative paths in a file against the file, and ~/ against HOME', () => {
    const confDir = join(dir, 'conf');
    mkdirSync(confDir);
    const path = writeYaml(
      join(confDir, 'custom.yml'),
      [
        'state_dir: ~/headway-state',
        'cache_dir: ./cache',
        'toolchain:',
        '  temporal_bin: temporal',
        '  prometheus_bin: ../bin/prometheus',
        "  go_bin: '~'",
      ].join('\n'),
    );
    const { config, file } = loadConfig({ env: { HOME: home }, cwd, configPath: path });
    expect(file).toBe(path);
    expect(config.state_dir).toBe(join(home, 'headway-state'));
    expect(config.cache_dir).toBe(join(confDir, 'cache'));
    expect(config.toolchain.temporal_bin).toBe('temporal');
    expect(config.toolchain.prometheus_bin).toBe(join(dir, 'bin', 'prometheus'));
    expect(config.toolchain.go_bin).toBe(home);
  });

  it('resolves a relative --config path against the cwd', () => {
    mkdirSync(join(cwd, 'etc'));
    writeYaml(join(cwd, 'etc', 'h.yml'), 'cache_dir: c\nstate_dir: s/t\n');
    const { config, file } = loadConfig({ env: { HOME: home }, cwd, configPath: 'etc/h.yml' });
    expect(file).toBe(join(cwd, 'etc', 'h.yml'));
    expect(config.state_dir).toBe(join(cwd, 'etc', 's', 't'));
  });

  it('resolves a one-word directory in a file against the file (it is not a command name)', () => {
    // Only the *_bin keys may hold a bare command name looked up on PATH. `state_dir: .headway`
    // is a directory next to the file, wherever headway is started from.
    const confDir = join(dir, 'conf');
    mkdirSync(confDir);
    const path = writeYaml(join(confDir, 'h.yml'), 'state_dir: .headway\ncache_dir: cache\n');
    const { config } = loadConfig({ env: { HOME: home }, cwd, configPath: path });
    expect(config.state_dir).toBe(join(confDir, '.headway'));
    expect(config.cache_dir).toBe(join(confDir, 'cache'));
  });

  it('resolves a one-word directory from the environment or a flag against the cwd', () => {
    const { config } = loadConfig({
      env: { HOME: home, HEADWAY_CACHE_DIR: 'cache' },
      cwd,
      flags: override(['state_dir'], '.headway'),
    });
    expect(config.state_dir).toBe(join(cwd, '.headway'));
    expect(config.cache_dir).toBe(join(cwd, 'cache'));
  });

  it('reads the file named by HEADWAY_CONFIG, and --config wins over it', () => {
    const a = writeYaml(join(dir, 'a.yml'), 'stack:\n  prometheus:\n    port: 9101\n');
    const b = writeYaml(join(dir, 'b.yml'), 'stack:\n  prometheus:\n    port: 9102\n');
    writeYaml(join(cwd, 'headway.yml'), 'stack:\n  prometheus:\n    port: 9103\n');

    const fromEnv = loadConfig({ env: { HOME: home, HEADWAY_CONFIG: a }, cwd });
    expect(fromEnv.file).toBe(a);
    expect(fromEnv.config.stack.prometheus.port).toBe(9101);

    const fromFlag = loadConfig({ env: { HOME: home, HEADWAY_CONFIG: a }, cwd, configPath: b });
    expect(fromFlag.file).toBe(b);
    expect(fromFlag.config.stack.prometheus.port).toBe(9102);
  });

  it('resolves relative environment and flag paths against the cwd', () => {
    const confDir = join(dir, 'conf');
    mkdirSync(confDir);
    const path = writeYaml(join(confDir, 'h.yml'), 'state_dir: ./from-file\n');
    const { config } = loadConfig({
      env: { HOME: home, HEADWAY_CACHE_DIR: 'rel/cache', HEADWAY_PROMETHEUS_BIN: '~/bin/prom' },
      cwd,
      configPath: path,
      flags: {
        ...override(['state_dir'], './flag-state'),
        ...override(['toolchain'], { temporal_bin: './tools/temporal', go_bin: 'go' }),
      },
    });
    expect(config.cache_dir).toBe(resolve(cwd, 'rel/cache'));
    expect(config.state_dir).toBe(join(cwd, 'flag-state'));
    expect(config.toolchain.temporal_bin).toBe(join(cwd, 'tools', 'temporal'));
    expect(config.toolchain.go_bin).toBe('go');
    expect(config.toolchain.prometheus_bin).toBe(join(home, 'bin', 'prom'));
  });

  it('keeps absolute paths as they are', () => {
    const { config } = loadConfig({
      env: { HOME: home, HEADWAY_TEMPORAL_BIN: '/usr/local/bin/temporal' },
      cwd,
      flags: override(['cache_dir'], '/var/cache/hw'),
    });
    expect(config.toolchain.temporal_bin).toBe('/usr/local/bin/temporal');
    expect(config.cache_dir).toBe('/var/cache/hw');
  });
});

describe('loadConfig errors', () => {
  it('lists every problem in one CONFIG_INVALID error', () => {
    writeYaml(
      join(cwd, 'headway.yml'),
      [
        'bogus_key: 1',
        'stack:',
        '  monitored:',
        '    grpc_port: 70000',
        '  prometheus:',
        '    port: not-a-port',
      ].join('\n'),
    );
    const err = catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd }));
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.message).toContain(join(cwd, 'headway.yml'));
    expect(err.hint).toBeDefined();
    const details = err.details.join('\n');
    expect(details).toContain('bogus_key');
    expect(details).toContain('stack.monitored.grpc_port');
    expect(details).toContain('must be between 1 and 65535');
    expect(details).toContain('stack.prometheus.port');
    expect(details).toContain('must be a port number');
  });

  it('reports problems from the environment and flags too', () => {
    const err = catchHeadwayError(() =>
      loadConfig({
        env: { HOME: home, HEADWAY_SCRAPE_INTERVAL: 'often', HEADWAY_RELEASE_BASE_URL: 'nope' },
        cwd,
        flags: override(['stack', 'copilot', 'log_level'], 'loud'),
      }),
    );
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.message).toContain('environment and flags');
    const details = err.details.join('\n');
    expect(details).toContain('stack.prometheus.scrape_interval');
    expect(details).toContain('toolchain.release_base_url');
    expect(details).toContain('stack.copilot.log_level');
  });

  it('rejects two services on one port, naming both', () => {
    const err = catchHeadwayError(() =>
      loadConfig({ env: { HOME: home, HEADWAY_COPILOT_GRPC_PORT: '7233' }, cwd }),
    );
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    const details = err.details.join('\n');
    expect(details).toContain('port 7233');
    expect(details).toContain('temporal-monitored gRPC');
    expect(details).toContain('temporal-copilot gRPC');
  });

  it('reports a duplicate port alongside an out-of-range one', () => {
    writeYaml(
      join(cwd, 'headway.yml'),
      'stack:\n  monitored:\n    grpc_port: 70000\n  copilot:\n    http_port: 9090\n',
    );
    const err = catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd }));
    const details = err.details.join('\n');
    expect(details).toContain('stack.monitored.grpc_port');
    expect(details).toContain('temporal-copilot HTTP');
    expect(details).toContain('prometheus');
  });

  it('allows a disabled UI port to coincide with another service', () => {
    const { config } = loadConfig({
      env: { HOME: home, HEADWAY_COPILOT_GRPC_PORT: '8233' },
      cwd,
      flags: override(['stack', 'monitored', 'ui'], false),
    });
    expect(config.stack.copilot.grpc_port).toBe(8233);
    expect(() =>
      loadConfig({ env: { HOME: home, HEADWAY_COPILOT_GRPC_PORT: '8233' }, cwd }),
    ).toThrow(HeadwayError);
  });

  it('rejects a file that is not valid YAML', () => {
    writeYaml(join(cwd, 'headway.yml'), 'stack:\n  monitored: [1, 2\n  copilot: {\n');
    const err = catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd }));
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.message).toContain('not valid YAML');
    expect(err.details.length).toBeGreaterThan(0);
  });

  it('rejects a file that holds a scalar or a list instead of a mapping', () => {
    writeYaml(join(cwd, 'headway.yml'), '- a\n- b\n');
    expect(catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd })).code).toBe(
      ErrorCode.ConfigInvalid,
    );
    writeYaml(join(cwd, 'headway.yml'), 'just text\n');
    expect(catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd })).code).toBe(
      ErrorCode.ConfigInvalid,
    );
  });

  it('treats an empty file as no settings', () => {
    const path = writeYaml(join(cwd, 'headway.yml'), '# nothing yet\n');
    const { config, file } = loadConfig({ env: { HOME: home }, cwd });
    expect(file).toBe(path);
    expect(config.stack.prometheus.port).toBe(9090);
  });

  it('fails with CONFIG_FILE_UNREADABLE for an explicit file that does not exist', () => {
    const missing = join(dir, 'missing.yml');
    const err = catchHeadwayError(() =>
      loadConfig({ env: { HOME: home }, cwd, configPath: missing }),
    );
    expect(err.code).toBe(ErrorCode.ConfigFileUnreadable);
    expect(err.message).toContain(missing);
    expect(err.hint).toBeDefined();

    const viaEnv = catchHeadwayError(() =>
      loadConfig({ env: { HOME: home, HEADWAY_CONFIG: missing }, cwd }),
    );
    expect(viaEnv.code).toBe(ErrorCode.ConfigFileUnreadable);
  });

  it('fails with CONFIG_FILE_UNREADABLE when ./headway.yml exists but cannot be read', () => {
    mkdirSync(join(cwd, 'headway.yml'));
    const err = catchHeadwayError(() => loadConfig({ env: { HOME: home }, cwd }));
    expect(err.code).toBe(ErrorCode.ConfigFileUnreadable);
  });
});

describe('listPorts', () => {
  it('lists every port with a label, and omits the UI port when the UI is off', () => {
    const { config } = loadConfig({ env: { HOME: home }, cwd });
    const all = listPorts(config);
    expect(all).toContainEqual(['temporal-monitored UI', 8233]);
    expect(all).toContainEqual(['temporal-copilot UI', 8234]);
    expect(all).toContainEqual(['prometheus', 9090]);
    expect(all).toContainEqual(['copilot api', 8081]);
    expect(all).toHaveLength(10);

    const noUi = listPorts(
      loadConfig({ env: { HOME: home }, cwd, flags: override(['stack', 'monitored', 'ui'], false) })
        .config,
    );
    expect(noUi).toHaveLength(9);
    expect(noUi.map(([label]) => label)).not.toContain('temporal-monitored UI');
    expect(noUi).toContainEqual(['temporal-copilot UI', 8234]);
    expect(noUi).toContainEqual(['temporal-monitored gRPC', 7233]);
    expect(noUi).toContainEqual(['temporal-monitored HTTP', 7243]);
    expect(noUi).toContainEqual(['temporal-monitored metrics', 9233]);
  });
});
