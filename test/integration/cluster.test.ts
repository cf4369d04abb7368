import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isPortFree } from '../../src/os/ports.js';
import { isRunning } from '../../src/os/process-identity.js';
import { instantQuery } from '../../src/signals/prometheus-client.js';
import { freeClusterPorts, freeStackPorts } from '../../src/stack/ports.js';
import type { StackRecord } from '../../src/stack/state.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually, runCli, userEnv } from '../helpers/cli.js';
import { runHelloWorkflow } from '../helpers/hello-worker.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface PsEntry {
  name: string;
  pid: number | null;
  health: string;
}

const INSTANCES = [
  'temporal-frontend-0',
  'temporal-history-0',
  'temporal-history-1',
  'temporal-matching-0',
  'temporal-matching-1',
  'temporal-worker-0',
];

/**
 * The cluster profile as a user runs it: `headway up --profile cluster --detach` with the real
 * temporal-server, temporal-sql-tool, UI server, PostgreSQL and Prometheus; then ps, schema status,
 * a workflow through the frontend, the copilot's view of each service, and `headway down`.
 */
describe('headway up --profile cluster (real services on PostgreSQL)', () => {
  const dir = makeTempDir('headway-cluster-');
  let env: NodeJS.ProcessEnv;
  let record: StackRecord;
  let promUrl: string;
  let apiUrl: string;
  let address: string;
  let upStartedMs: number;

  beforeAll(async () => {
    const binaries = await testBinaries();
    const stack = await freeStackPorts();
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_TEMPORAL_BIN: binaries.temporal,
      HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
      HEADWAY_CADENCE_S: '2',
      HEADWAY_READY_TIMEOUT_S: '300',
      ...stack.env,
      ...(await freeClusterPorts()),
    };
    promUrl = stack.prometheusUrl;
    apiUrl = stack.apiUrl;
    address = stack.temporalAddress;
    upStartedMs = Date.now();
    const up = await runCli(['up', '--detach', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('set up temporal schema 1.18');
    record = JSON.parse(up.stdout) as StackRecord;
  });

  afterAll(async () => {
    await runCli(['down', '--volumes'], env ?? process.env);
    dir.remove();
  });

  it('records PostgreSQL, every service instance, the UI, Prometheus and the copilot', () => {
    expect(record.status).toBe('ready');
    expect(record.services.map((s) => s.name).sort()).toEqual(
      ['copilot', 'postgres', 'prometheus', 'temporal-copilot', 'temporal-ui', ...INSTANCES].sort(),
    );
  });

  it('ps --json shows every one of them healthy', async () => {
    const ps = await runCli(['ps', '--json'], env);
    expect(ps.code, ps.stderr).toBe(0);
    const services = JSON.parse(ps.stdout) as PsEntry[];
    expect(services).toHaveLength(record.services.length);
    for (const s of services) expect(s.health, s.name).toBe('healthy');
  });

  it('ps probes the stack as it was started, whatever its own config says, and changes none of it', async () => {
    // As a user who gave the profile and ports to `up` only: ps sees no cluster setting at all.
    const bare = userEnv({ HEADWAY_STATE_DIR: dir.path });
    const stackConfig = join(dir.path, 'copilot-config.json');
    const before = readFileSync(stackConfig, 'utf8');
    const ps = await runCli(['ps', '--json'], bare);
    expect(ps.code, ps.stderr).toBe(0);
    const services = JSON.parse(ps.stdout) as PsEntry[];
    expect(services).toHaveLength(record.services.length);
    for (const s of services) expect(s.health, s.name).toBe('healthy');
    // The copilot restarts on this file: ps must not have written its own config into it.
    expect(readFileSync(stackConfig, 'utf8')).toBe(before);
  });

  it('Prometheus scrapes every Temporal service instance, labelled with its role and instance', async () => {
    const up = await instantQuery(promUrl, 'up{job="temporal-monitored"}');
    expect(up.map((s) => s.value)).toEqual(INSTANCES.map(() => 1));
    expect(up.map((s) => `temporal-${String(s.metric.temporal_instance)}`).sort()).toEqual(
      [...INSTANCES].sort(),
    );
    expect(new Set(up.map((s) => s.metric.temporal_service))).toEqual(
      new Set(['frontend', 'history', 'matching', 'worker']),
    );
  });

  it('schema status says both schemas are current', async () => {
    const status = await runCli(['schema', 'status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout) as { kind: string; state: string; version: string }[];
    expect(rows.map((r) => [r.kind, r.state, r.version])).toEqual([
      ['temporal', 'current', '1.18'],
      ['visibility', 'current', '1.9'],
    ]);
    // Idempotent: setup again does nothing.
    const again = await runCli(['schema', 'setup'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
  });

  it('runs a workflow through the frontend, history, matching and PostgreSQL', async () => {
    expect(await runHelloWorkflow(address, `cluster-hello-${String(Date.now())}`)).toBe(
      'hello, headway',
    );
  });

  it('the copilot reports a live state and names each service from its own metrics', async () => {
    const status = await eventually(
      'a fresh observed state',
      async () => {
        const body = (await (await fetch(`${apiUrl}/status`)).json()) as {
          health_state: string;
          timestamp: string | null;
        };
        return body.health_state !== 'unknown' &&
          body.timestamp !== null &&
          Date.parse(body.timestamp) >= upStartedMs
          ? body
          : undefined;
      },
      120_000,
      500,
    );
    expect(['happy', 'stressed', 'critical']).toContain(status.health_state);
    const services = (await (await fetch(`${apiUrl}/status/services`)).json()) as {
      services: { name: string; key_signals: Record<string, number | null> }[];
    };
    // Each names itself from live values of its own metrics, not from absent ones.
    for (const name of ['frontend', 'history', 'matching', 'persistence']) {
      const service = services.services.find((s) => s.name === name);
      expect(service, name).toBeDefined();
      const live = Object.values(service!.key_signals).filter((v) => v !== null);
      expect(live.length, `${name}: ${JSON.stringify(service!.key_signals)}`).toBeGreaterThan(0);
    }
  });

  it('refuses to change the shard count of the existing cluster, with the reason', async () => {
    const up = await runCli(['up', '--detach'], { ...env, HEADWAY_CLUSTER_HISTORY_SHARDS: '8' });
    // The running stack answers first (up is idempotent); the check needs it stopped.
    expect(up.code).toBe(0);
    const down = await runCli(['down'], env);
    expect(down.code, down.stderr).toBe(0);
    const refused = await runCli(['up', '--detach'], {
      ...env,
      HEADWAY_CLUSTER_HISTORY_SHARDS: '8',
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('CLUSTER_CHANGE_REFUSED');
    expect(refused.stderr).toContain('created with 4 history shards');
  });

  it('down leaves no process and no port of ours, and --volumes deletes the database', async () => {
    for (const s of record.services) expect(isRunning(s), s.name).toBe(false);
    for (const s of record.services) {
      for (const port of Object.values(s.ports))
        expect(await isPortFree(port), `${s.name} ${String(port)}`).toBe(true);
    }
    expect(existsSync(join(dir.path, 'cluster', 'created.json'))).toBe(true);
    const down = await runCli(['down', '--volumes'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'cluster'))).toBe(false);
    expect(existsSync(join(dir.path, 'postgres'))).toBe(false);
  });
});
