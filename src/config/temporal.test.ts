import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { TEMPORAL_ENV_KEYS } from './env-keys.js';
import { loadConfig, overrides } from './load.js';
import {
  describeConnection,
  resolveTemporalConnection,
  temporalEnvOverrides,
  type TemporalSection,
} from './temporal.js';

let dir: string;
let home: string;
let cwd: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-temporal-'));
  home = join(dir, 'home');
  cwd = join(dir, 'work');
  mkdirSync(home);
  mkdirSync(cwd);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What a Temporal command does: headway.yml < HEADWAY_* < TEMPORAL_* < flags, then the SDK layer. */
function load(
  options: { yaml?: string; env?: Record<string, string>; flags?: [string[], unknown][] } = {},
) {
  const env = { HOME: home, ...options.env };
  const file = join(cwd, 'headway.yml');
  if (options.yaml === undefined) rmSync(file, { force: true });
  else writeFileSync(file, options.yaml);
  const { config } = loadConfig({
    env,
    cwd,
    flags: overrides([...temporalEnvOverrides(env), ...(options.flags ?? [])]),
  });
  return { config, connection: resolveTemporalConnection(config.temporal, env) };
}

function catchHeadwayError(fn: () => unknown): HeadwayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadwayError);
    return err as HeadwayError;
  }
  throw new Error('expected a HeadwayError');
}

describe('temporal and worker config sections', () => {
  it('defaults: the local stack, namespace default, task queue headway-samples, no TLS', () => {
    const { config, connection } = load();
    expect(connection).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      apiKey: undefined,
      tls: undefined,
      metadata: undefined,
      connectTimeoutMs: 5_000,
    });
    expect(config.temporal.task_queue).toBe('headway-samples');
    expect(config.temporal.timeouts).toEqual({
      activity_start_to_close_s: 600,
      activity_schedule_to_close_s: 1_800,
      activity_heartbeat_s: 60,
    });
    expect(config.temporal.retry).toEqual({
      initial_interval_s: 1,
      backoff_coefficient: 2,
      maximum_interval_s: 60,
      maximum_attempts: 3,
    });
    expect(config.worker).toMatchObject({
      max_concurrent_activities: 10,
      max_concurrent_workflow_tasks: 10,
      shutdown_grace_s: 30,
      metrics_port: 0,
    });
    expect(Object.keys(config.worker.steps).sort()).toEqual(['fail', 'pass']);
    expect(config.worker.steps.pass).toEqual({
      command: ['true'],
      timeout_s: 60,
      env: {},
      max_output_bytes: 4_096,
    });
  });

  it('layers flags > TEMPORAL_* > headway.yml for every mapped key', () => {
    const yaml = [
      'temporal:',
      '  address: file.example:7233',
      '  namespace: from-file',
      '  task_queue: file-queue',
      '  tls: false',
      'worker:',
      '  steps: { lint: { command: [npm, run, lint], timeout_s: 120 } }',
    ].join('\n');
    const fileOnly = load({ yaml });
    expect(fileOnly.connection).toMatchObject({
      address: 'file.example:7233',
      namespace: 'from-file',
      tls: false,
    });
    expect(fileOnly.config.temporal.task_queue).toBe('file-queue');
    // Configured steps come on top of the built-in ones.
    expect(Object.keys(fileOnly.config.worker.steps).sort()).toEqual(['fail', 'lint', 'pass']);

    const env = {
      TEMPORAL_ADDRESS: 'env.example:7233',
      TEMPORAL_NAMESPACE: 'from-env',
      TEMPORAL_TASK_QUEUE: 'env-queue',
      TEMPORAL_TLS: 'true',
      TEMPORAL_API_KEY: 'secret-key',
    };
    const fromEnv = load({ yaml, env });
    expect(fromEnv.connection).toMatchObject({
      address: 'env.example:7233',
      namespace: 'from-env',
      tls: true,
      apiKey: 'secret-key',
    });
    expect(fromEnv.config.temporal.task_queue).toBe('env-queue');

    const fromFlags = load({
      yaml,
      env,
      flags: [
        [['temporal', 'address'], 'flag.example:7233'],
        [['temporal', 'namespace'], 'from-flag'],
        [['temporal', 'task_queue'], 'flag-queue'],
      ],
    });
    expect(fromFlags.connection).toMatchObject({
      address: 'flag.example:7233',
      namespace: 'from-flag',
    });
    expect(fromFlags.config.temporal.task_queue).toBe('flag-queue');
  });

  it('maps exactly the documented TEMPORAL_* variables and ignores blank ones', () => {
    expect(Object.keys(TEMPORAL_ENV_KEYS).sort()).toEqual([
      'TEMPORAL_ADDRESS',
      'TEMPORAL_API_KEY',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_PROFILE',
      'TEMPORAL_TASK_QUEUE',
      'TEMPORAL_TLS',
    ]);
    expect(temporalEnvOverrides({ TEMPORAL_ADDRESS: ' ', TEMPORAL_NAMESPACE: 'x' })).toEqual([
      [['temporal', 'namespace'], 'x'],
    ]);
  });

  it('starts from the SDK profile (temporal.toml), below headway.yml', () => {
    const toml = join(dir, 'temporal.toml');
    writeFileSync(
      toml,
      [
        '[profile.default]',
        'address = "profile.example:7233"',
        'namespace = "profile-ns"',
        '[profile.cloud]',
        'address = "my-ns.abc.tmprl.cloud:7233"',
        'namespace = "my-ns.abc"',
        'api_key = "cloud-key"',
        '[profile.cloud.grpc_meta]',
        'x-team = "ops"',
      ].join('\n'),
    );
    const fromProfile = load({ env: { TEMPORAL_CONFIG_FILE: toml } });
    expect(fromProfile.connection).toMatchObject({
      address: 'profile.example:7233',
      namespace: 'profile-ns',
    });

    const overridden = load({
      env: { TEMPORAL_CONFIG_FILE: toml },
      yaml: 'temporal: { namespace: from-file }',
    });
    expect(overridden.connection).toMatchObject({
      address: 'profile.example:7233',
      namespace: 'from-file',
    });

    // Temporal Cloud through a profile: an API key turns TLS on; gRPC metadata is passed on.
    const cloud = load({ env: { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' } });
    expect(cloud.connection).toMatchObject({
      address: 'my-ns.abc.tmprl.cloud:7233',
      namespace: 'my-ns.abc',
      apiKey: 'cloud-key',
      tls: true,
      metadata: { 'x-team': 'ops' },
    });
    // …unless TLS is explicitly off.
    expect(
      load({
        env: { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud', TEMPORAL_TLS: 'false' },
      }).connection.tls,
    ).toBe(false);

    const missing = catchHeadwayError(() =>
      load({ env: { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' } }),
    );
    expect(missing.code).toBe(ErrorCode.ConfigInvalid);
    expect(missing.details.join('\n')).toContain("Profile 'nope' not found");
  });

  it('reads TLS files from headway.yml and reports every unreadable one', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'CA');
    const tls = load({
      yaml: `temporal: { tls: { server_name: tmprl.example, server_ca_cert_path: ${ca} } }`,
    }).connection.tls;
    expect(tls).toEqual({
      serverNameOverride: 'tmprl.example',
      serverRootCACertificate: Buffer.from('CA'),
    });

    const err = catchHeadwayError(() =>
      load({
        yaml: 'temporal: { tls: { client_cert_path: /nope/c.pem, client_key_path: /nope/k.pem } }',
      }),
    );
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.details).toHaveLength(2);
    expect(err.details[0]).toContain('temporal.tls.client_cert_path: cannot read /nope/c.pem');
  });

  it('lists every invalid value at once', () => {
    const err = catchHeadwayError(() =>
      load({
        yaml: [
          'temporal:',
          '  timeouts: { activity_start_to_close_s: 100, activity_schedule_to_close_s: 10 }',
          '  retry: { initial_interval_s: 10, maximum_interval_s: 1, maximum_attempts: -1 }',
          '  tls: { client_cert_path: /c.pem }',
          'worker:',
          '  steps: { "bad name": { command: [x] }, empty: { command: [] } }',
          '  shutdown_grace_s: -1',
        ].join('\n'),
        env: { TEMPORAL_ADDRESS: 'localhost', TEMPORAL_TLS: 'perhaps' },
      }),
    );
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    const text = err.details.join('\n');
    for (const path of [
      'temporal.address',
      'temporal.tls',
      'temporal.retry.maximum_attempts',
      'worker.steps',
      'worker.steps.empty.command',
      'worker.shutdown_grace_s',
    ]) {
      expect(text).toContain(`→ at ${path}`);
    }
  });

  it('cross-field checks: schedule-to-close ≥ start-to-close, max interval ≥ initial', () => {
    const err = catchHeadwayError(() =>
      load({
        yaml: [
          'temporal:',
          '  timeouts: { activity_start_to_close_s: 100, activity_schedule_to_close_s: 10 }',
          '  retry: { initial_interval_s: 10, maximum_interval_s: 1 }',
        ].join('\n'),
      }),
    );
    const text = err.details.join('\n');
    expect(text).toContain(
      'activity_schedule_to_close_s must be at least activity_start_to_close_s',
    );
    expect(text).toContain('maximum_interval_s must be at least initial_interval_s');
  });

  it('describes a connection without its API key', () => {
    const section = { api_key: 'very-secret', connect_timeout_s: 5 } as TemporalSection;
    const connection = resolveTemporalConnection(section, {});
    expect(describeConnection(connection)).toBe(
      '127.0.0.1:7233 (namespace default, TLS, API key ***)',
    );
    expect(describeConnection(connection)).not.toContain('very-secret');
  });
});
