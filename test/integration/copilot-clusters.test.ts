import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { workflowIds } from '../../src/copilot/types.js';
import { findFreePorts } from '../../src/os/ports.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { eventually, runCli, startCli } from '../helpers/cli.js';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface ClusterRow {
  name: string;
  default: boolean;
  health_state: string | null;
  observed_at: string | null;
  server_selector: string;
  temporal_address: string | null;
}
interface StatusBody {
  health_state: string;
  timestamp: string | null;
  reasons?: string[];
}

/**
 * One copilot (`headway copilot run`, PGlite store) watching two real dev servers, each scraped by
 * one real Prometheus under its own job label. The copilot's own workflows run on the first.
 */
describe('one copilot, two clusters (two real dev servers)', () => {
  const dir = makeTempDir('headway-clusters-');
  let east: DevServer;
  let west: DevServer | undefined;
  let prometheus: TestPrometheus;
  let connection: Connection;
  let copilot: ReturnType<typeof startCli> | undefined;
  let api: string;
  let env: NodeJS.ProcessEnv;

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${api}${path}`);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const clusters = async () => (await get<{ clusters: ClusterRow[] }>('/clusters')).clusters;

  beforeAll(async () => {
    [east, west] = await Promise.all([startDevServer(), startDevServer()]);
    prometheus = await startTestPrometheus([
      { job: 'temporal-east', address: new URL(east.metricsUrl).host },
      { job: 'temporal-west', address: new URL(west.metricsUrl).host },
    ]);
    const [port] = await findFreePorts(1);
    api = `http://127.0.0.1:${String(port)}`;
    const configFile = join(dir.path, 'headway.yml');
    // JSON is YAML.
    writeFileSync(
      configFile,
      JSON.stringify({
        signals: { prometheus_url: prometheus.url },
        copilot: {
          address: east.address,
          cadence_s: 1,
          cycles_per_run: 20,
          api: { port },
          clusters: [
            {
              name: 'east',
              temporal: { address: east.address },
              server_selector: 'job="temporal-east"',
              log_file: east.logFile,
            },
            {
              name: 'west',
              temporal: { address: west.address },
              server_selector: 'job="temporal-west"',
              log_file: west.logFile,
            },
          ],
        },
      }),
    );
    env = { ...process.env, HEADWAY_STATE_DIR: dir.path, HEADWAY_CONFIG: configFile };
    connection = await Connection.connect({ address: east.address });
    copilot = startCli(['copilot', 'run'], env);
  }, 120_000);

  afterAll(async () => {
    if (copilot !== undefined && copilot.child.exitCode === null) {
      copilot.child.kill('SIGTERM');
      await copilot.closed;
    }
    const steps = [
      () => connection?.close(),
      () => prometheus?.stop(),
      () => west?.stop(),
      () => east?.stop(),
    ];
    for (const step of steps) await Promise.resolve(step()).catch(() => undefined);
    dir.remove();
  }, 60_000);

  it('observes each cluster through its own series, keeps separate states, and answers per cluster', async () => {
    // Both clusters observed, each by its own workflows on its own task queue.
    let seen: unknown;
    const first = await eventually(
      'both clusters to be observed',
      async () => {
        if (copilot?.child.exitCode !== null) {
          throw new Error(`the copilot exited: ${copilot?.output().stderr ?? ''}`);
        }
        const rows = await clusters().catch((err: unknown) => {
          seen = err;
          return undefined;
        });
        seen = rows ?? seen;
        return rows?.every((r) => r.health_state !== null && r.health_state !== 'unknown')
          ? rows
          : undefined;
      },
      // Two workers start and bundle first; a loaded CI machine takes minutes.
      240_000,
      500,
    ).catch((err: unknown) => {
      const out = copilot?.output();
      throw new Error(
        `${String(err)}; last /clusters: ${JSON.stringify(seen)}; copilot output: ${(out?.stdout ?? '').slice(-3000)} ${(out?.stderr ?? '').slice(-2000)}`,
      );
    });
    expect(first.map((r) => [r.name, r.default, r.server_selector, r.temporal_address])).toEqual([
      ['east', true, 'job="temporal-east"', east.address],
      ['west', false, 'job="temporal-west"', west!.address],
    ]);
    const client = new Client({ connection });
    for (const [name, queue] of [
      ['east', 'headway-copilot'],
      ['west', 'headway-copilot-west'],
    ] as const) {
      const described = await client.workflow.getHandle(workflowIds(name).observe).describe();
      expect(described.taskQueue, name).toBe(queue);
      expect(described.status.name, name).toBe('RUNNING');
    }

    // West goes away: west alone turns unknown, from its own observations; east carries on.
    const stopped = west!;
    west = undefined;
    await stopped.stop();
    const westDown = await eventually(
      'west to be unknown',
      async () => {
        const s = await get<StatusBody>('/status?cluster=west');
        return s.health_state === 'unknown' ? s : undefined;
      },
      120_000,
      500,
    );
    expect(westDown.reasons?.join('\n')).toMatch(/down|not answering|target/i);
    // East keeps being observed after west went unknown: a newer observation, still not unknown.
    const eastNow = await eventually(
      'east to be observed after west went unknown',
      async () => {
        const s = await get<StatusBody>('/status?cluster=east');
        return s.timestamp !== null &&
          westDown.timestamp !== null &&
          Date.parse(s.timestamp) > Date.parse(westDown.timestamp)
          ? s
          : undefined;
      },
      60_000,
      500,
    );
    expect(eastNow.health_state).not.toBe('unknown');
    // The unqualified path is the default cluster's, as before clusters.
    expect((await get<StatusBody>('/status')).health_state).toBe(eastNow.health_state);
    expect(
      Object.fromEntries((await clusters()).map((r) => [r.name, r.health_state === 'unknown'])),
    ).toEqual({ east: false, west: true });

    // The CLI reads the cluster it is asked for, and names the known ones for an unknown one.
    const westStatus = await runCli(['status', '--cluster', 'west', '--api', api], env);
    expect(westStatus.code, westStatus.stderr).toBe(0);
    expect(westStatus.stdout).toMatch(/UNKNOWN\s+cluster west/);
    const unknown = await runCli(['status', '--cluster', 'north', '--api', api], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/does not watch a cluster named north; it watches east, west/);
    const missing = await fetch(`${api}/status/history?cluster=north`);
    expect(missing.status).toBe(404);
  }, 480_000);
});
