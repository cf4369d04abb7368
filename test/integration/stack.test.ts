import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerTarget } from '../../src/prometheus/scrape-targets.js';
import { isPortFree } from '../../src/os/ports.js';
import { freeStackPorts } from '../../src/stack/ports.js';
import { COPILOT_MALLOC_ARENAS, COPILOT_NODE_FLAGS } from '../../src/os/node-settings.js';
import { isRunning } from '../../src/os/process-identity.js';
import type { StackRecord } from '../../src/stack/state.js';
import { instantQuery } from '../../src/signals/prometheus-client.js';
import { waitForFirstScrape } from '../../src/stack/run-stack.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually, runCli, userEnv } from '../helpers/cli.js';
import { runHelloWorkflow } from '../helpers/hello-worker.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface PsEntry {
  name: string;
  pid: number | null;
  ports: Record<string, number>;
  url: string;
  health: string;
  uptime_s: number | null;
  restarts: number;
}

/**
 * The whole local stack, as a user runs it: `headway up --detach` against the real Temporal CLI and
 * Prometheus, then ps, a workflow through the SDK, metrics in Prometheus, a crash and restart,
 * and `headway down`.
 */
describe('headway up --detach (real Temporal dev servers and Prometheus)', () => {
  const dir = makeTempDir('headway-stack-');
  let env: NodeJS.ProcessEnv;
  let ports: number[];
  let record: StackRecord;
  let promUrl: string;
  let apiUrl: string;
  let upStartedMs: number;
  const CADENCE_S = 2;
  const QUERY_TIMEOUT_MS = 1000;

  beforeAll(async () => {
    const binaries = await testBinaries();
    const stack = await freeStackPorts();
    ports = [...stack.ports];
    // A short per-query timeout, so a stopped Prometheus costs a cycle about a second.
    const configFile = join(dir.path, 'headway.yml');
    writeFileSync(configFile, `signals:\n  query_timeout_ms: ${String(QUERY_TIMEOUT_MS)}\n`);
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_CONFIG: configFile,
      HEADWAY_TEMPORAL_BIN: binaries.temporal,
      HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
      HEADWAY_CADENCE_S: String(CADENCE_S),
      ...stack.env,
    };
    promUrl = stack.prometheusUrl;
    apiUrl = stack.apiUrl;
    upStartedMs = Date.now();
    // How long `up` takes is measured by `npm run bench:up`, not bounded here: on a shared
    // 2-core machine the wall clock says more about the neighbours than about the stack.
    const up = await runCli(['up', '--detach', '--json'], env);
    expect(up.stderr).toContain('ready in');
    expect(up.code, up.stderr).toBe(0);
    record = JSON.parse(up.stdout) as StackRecord;
  });

  afterAll(async () => {
    // Whatever happened above, leave nothing running and nothing on disk.
    await runCli(['down', '--volumes'], env ?? process.env);
    dir.remove();
  });

  it('is ready and records every service', () => {
    expect(record.status).toBe('ready');
    expect(record.supervisor.mode).toBe('detached');
    expect(record.services.map((s) => s.name).sort()).toEqual([
      'copilot',
      'prometheus',
      'temporal-copilot',
      'temporal-monitored',
    ]);
  });

  it('ps --json shows every service healthy with pid, ports, url and uptime', async () => {
    const ps = await runCli(['ps', '--json'], env);
    expect(ps.code, ps.stderr).toBe(0);
    const services = JSON.parse(ps.stdout) as PsEntry[];
    expect(services).toHaveLength(4);
    for (const s of services) {
      expect(s.health, s.name).toBe('healthy');
      expect(s.pid).toBeGreaterThan(0);
      expect(s.uptime_s).toBeGreaterThanOrEqual(0);
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['name', 'pid', 'ports', 'url', 'health', 'uptime_s']),
      );
    }
    const monitored = services.find((s) => s.name === 'temporal-monitored');
    expect(monitored?.ports).toMatchObject({ grpc: ports[0], ui: ports[1], metrics: ports[3] });
    expect(monitored?.url).toBe(`http://127.0.0.1:${ports[1]}`);
  });

  it('hands the copilot its config in a file only this user may read, not in its environment', () => {
    const copilot = record.services.find((s) => s.name === 'copilot')!;
    const environ = readFileSync(`/proc/${String(copilot.pid)}/environ`, 'utf8').split('\0');
    expect(environ.some((e) => e.startsWith('HEADWAY_STACK_CONFIG='))).toBe(false);
    const file = environ.find((e) => e.startsWith('HEADWAY_STACK_CONFIG_FILE='))?.split('=')[1];
    expect(file).toBe(join(dir.path, 'copilot-config.json'));
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(environ.join('\n')).not.toContain('"state_dir"');
  });

  it('starts the copilot with its memory settings (docs/bench.md, "Copilot memory")', () => {
    const copilot = record.services.find((s) => s.name === 'copilot')!;
    const pid = String(copilot.pid);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 1 + COPILOT_NODE_FLAGS.length)).toEqual([...COPILOT_NODE_FLAGS]);
    expect(COPILOT_NODE_FLAGS).toContain('--optimize-for-size');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`MALLOC_ARENA_MAX=${COPILOT_MALLOC_ARENAS}`);
    // Given on its command line, the settings need no second process (bin/headway.js hands a
    // command that lacks them to a child node of its own).
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    const handedOver = children.filter((child) => {
      try {
        return readFileSync(`/proc/${child}/environ`, 'utf8').includes('HEADWAY_HANDED_OVER=');
      } catch {
        return false; // '' (no children), or a child that ended since
      }
    });
    expect(handedOver).toEqual([]);
  });

  it('keeps Prometheus’ lifecycle endpoints off (no web page can reload or stop it)', async () => {
    const res = await fetch(`${promUrl}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Lifecycle API is not enabled');
  });

  it('Prometheus has scraped both Temporal servers', async () => {
    const samples = await instantQuery(promUrl, 'up{job=~".*temporal.*"} == 1');
    expect(samples.map((s) => s.metric.job).sort()).toEqual([
      'temporal-copilot',
      'temporal-monitored',
    ]);
  });

  it('/status serves a state computed from the live cluster within 90 s of up', async () => {
    const status = await eventually(
      'a fresh observed state',
      async () => {
        const body = (await (await fetch(`${apiUrl}/status`)).json()) as {
          health_state: string;
          timestamp: string | null;
          stale: boolean;
          primary_signals: Record<string, Record<string, number | null>>;
        };
        // The persistence p99 is a rate over two scrapes: the copilot's first observation can come
        // before Prometheus holds two, so wait for one that has it rather than judge the first.
        return body.health_state !== 'unknown' &&
          !body.stale &&
          body.timestamp !== null &&
          Date.parse(body.timestamp) >= upStartedMs &&
          body.primary_signals.persistence?.latency_p99_ms != null
          ? body
          : undefined;
      },
      90_000,
      500,
    );
    expect(['happy', 'stressed', 'critical']).toContain(status.health_state);
    // Read from the live Prometheus: a series the dev server always exports has a value.
    expect(status.primary_signals.persistence?.latency_p99_ms).not.toBeNull();

    const cli = await runCli(['status', '--json'], env);
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { status: { health_state: string } };
    expect(['happy', 'stressed', 'critical']).toContain(printed.status.health_state);

    // As a user who gave the ports to `up` only: status finds the copilot the stack started.
    const bare = userEnv({ HEADWAY_STATE_DIR: dir.path });
    const plain = await runCli(['status', '--json'], bare);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toHaveProperty('status.health_state');
    // …and the workflow commands find its monitored server (not the SDK's 127.0.0.1:7233).
    const list = await runCli(['workflow', 'list', '--json'], bare);
    expect(list.code, list.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    // …and `signals` reads the stack's Prometheus (not :9090).
    const signals = await runCli(['signals', '--json'], bare);
    expect(signals.code, signals.stderr).toBe(0);
    expect(JSON.parse(signals.stdout)).toHaveProperty('quality.prometheus_ok', true);

    // Grafana's log-pattern panel reads the copilot's own metrics through Prometheus.
    await eventually(
      'Prometheus to scrape the copilot',
      async () => (await instantQuery(promUrl, 'copilot_health_state == 1'))[0],
      30_000,
      500,
    );
  });

  it('a stopped Prometheus makes the state unknown within two cycles, and it recovers', async () => {
    const prometheus = record.services.find((s) => s.name === 'prometheus')!;
    const stateNow = async () =>
      ((await (await fetch(`${apiUrl}/status`)).json()) as { health_state: string }).health_state;
    process.kill(prometheus.pid, 'SIGSTOP');
    const paused = Date.now();
    try {
      await eventually(
        'unknown',
        async () => ((await stateNow()) === 'unknown' ? true : undefined),
        60_000,
        200,
      );
    } finally {
      process.kill(prometheus.pid, 'SIGCONT');
    }
    // Counted in the copilot's own cycles, not in seconds (a loaded machine stretches seconds):
    // of the observations it stored after the pause, the first or the second already says unknown.
    const history = (await (await fetch(`${apiUrl}/status/history?minutes=10`)).json()) as {
      series: { points: [string, number | null][] }[];
      states: [string, string][];
    };
    const cycles = [...new Set(history.series.flatMap((s) => s.points.map(([t]) => t)))].filter(
      (t) => Date.parse(t) >= paused,
    );
    const firstUnknown = history.states.find(
      ([t, state]) => state === 'unknown' && Date.parse(t) >= paused,
    );
    expect(firstUnknown, JSON.stringify(history.states)).toBeDefined();
    const cyclesUntilUnknown = cycles.filter((t) => t <= firstUnknown![0]).length;
    expect(cyclesUntilUnknown).toBeGreaterThanOrEqual(1);
    expect(cyclesUntilUnknown).toBeLessThanOrEqual(2);
    await eventually(
      'recovery',
      async () => ((await stateNow()) !== 'unknown' ? true : undefined),
      60_000,
      200,
    );
  });

  it('runs a workflow started with the SDK, and its state transitions reach Prometheus', async () => {
    const query = 'sum(state_transition_count_count{job="temporal-monitored"})';
    const before = (await instantQuery(promUrl, query))[0]?.value ?? 0;

    const result = await runHelloWorkflow(`127.0.0.1:${ports[0]}`, `it-hello-${Date.now()}`);
    expect(result).toBe('hello, headway');

    const after = await eventually(
      'state transitions of the workflow to be scraped',
      async () => {
        const value = (await instantQuery(promUrl, query))[0]?.value;
        return value !== undefined && value > before ? value : undefined;
      },
      30_000,
      500,
    );
    expect(after).toBeGreaterThan(before);
  });

  it('scrapes targets that later processes register in the file-based target list', async () => {
    const unregister = registerTarget(join(dir.path, 'prometheus', 'targets'), {
      id: 'it-target',
      job: 'headway-it',
      address: `127.0.0.1:${ports[7]}`,
    });
    try {
      const up = await eventually(
        'the registered target to be scraped',
        async () => (await instantQuery(promUrl, 'up{job="headway-it"} == 1'))[0],
        30_000,
        500,
      );
      expect(up.metric.instance).toBe(`127.0.0.1:${ports[7]}`);
    } finally {
      unregister();
    }
  });

  it('each dev server holds its database alone (SQLite exclusive locking), and still serves', async () => {
    for (const server of ['temporal-monitored', 'temporal-copilot']) {
      const db = new DatabaseSync(join(dir.path, server, 'temporal.db'), { readOnly: true });
      try {
        expect(() => db.prepare('SELECT count(*) FROM namespaces').get()).toThrow(
          /database is locked/,
        );
      } finally {
        db.close();
      }
    }
    const ps = await runCli(['ps', '--json'], env);
    const entries = JSON.parse(ps.stdout) as PsEntry[];
    expect(entries.filter((e) => e.name.startsWith('temporal-')).map((e) => e.health)).toEqual([
      'healthy',
      'healthy',
    ]);
  });

  it('a second up reports the running stack instead of starting another', async () => {
    const again = await runCli(['up', '--detach', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as StackRecord;
    expect(second.supervisor.pid).toBe(record.supervisor.pid);
    expect(second.services.map((s) => s.pid).sort()).toEqual(
      record.services.map((s) => s.pid).sort(),
    );
  });

  it('shows the logs of one service, and rejects an unknown one', async () => {
    const logs = await runCli(['logs', 'temporal-monitored', '-n', '5'], env);
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.includes('temporal-monitored'))).toBe(true);

    const bad = await runCli(['logs', 'temporal'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('UNKNOWN_SERVICE');
  });

  it('restarts a service that crashes', async () => {
    const copilot = record.services.find((s) => s.name === 'temporal-copilot');
    expect(copilot).toBeDefined();
    process.kill(copilot!.pid, 'SIGKILL');
    const restarted = await eventually(
      'the copilot server to be restarted and healthy',
      async () => {
        const ps = JSON.parse((await runCli(['ps', '--json'], env)).stdout) as PsEntry[];
        const entry = ps.find((s) => s.name === 'temporal-copilot');
        return entry !== undefined && entry.restarts === 1 && entry.health === 'healthy'
          ? entry
          : undefined;
      },
      60_000,
      1_000,
    );
    expect(restarted.pid).not.toBe(copilot!.pid);
    record = JSON.parse((await runCli(['up', '--detach', '--json'], env)).stdout) as StackRecord;
  });

  it('waitForFirstScrape only accepts scrapes made after the given start', async () => {
    const now = Date.now();
    await expect(waitForFirstScrape(promUrl, now - 60_000, now + 10_000)).resolves.toBeUndefined();
    // No sample can be newer than a minute from now: an old `up == 1` must not count.
    await expect(
      waitForFirstScrape(promUrl, now + 60_000, Date.now() + 2_000),
    ).rejects.toMatchObject({
      code: 'READINESS_TIMEOUT',
    });
  });

  it('restarts on existing data and is ready once the new servers were scraped', async () => {
    const down = await runCli(['down'], env);
    expect(down.code, down.stderr).toBe(0);
    const startedAt = Date.now() / 1000;
    const up = await runCli(['up', '--detach', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    record = JSON.parse(up.stdout) as StackRecord;

    const samples = await instantQuery(
      promUrl,
      'timestamp(up{job=~"temporal-monitored|temporal-copilot"} == 1)',
    );
    expect(samples).toHaveLength(2);
    for (const sample of samples) expect(sample.value).toBeGreaterThanOrEqual(startedAt);
  });

  it('down stops every process it started, keeps the data, and frees every port', async () => {
    const down = await runCli(['down', '--json'], env);
    expect(down.code, down.stderr).toBe(0);
    const result = JSON.parse(down.stdout) as { stopped: { name: string; pid: number }[] };
    expect(result.stopped.map((s) => s.name).sort()).toEqual([
      'copilot',
      'prometheus',
      'temporal-copilot',
      'temporal-monitored',
    ]);
    for (const p of [record.supervisor, ...record.services]) {
      expect(isRunning(p), `pid ${p.pid} still running`).toBe(false);
    }
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
    expect(existsSync(join(dir.path, 'stack.json'))).toBe(false);
    // The copilot's config carries secrets: it does not outlive the stack.
    expect(existsSync(join(dir.path, 'copilot-config.json'))).toBe(false);
    expect(existsSync(join(dir.path, 'store.lock'))).toBe(false);
    expect(existsSync(join(dir.path, 'temporal-monitored', 'temporal.db'))).toBe(true);

    const ps = await runCli(['ps', '--json'], env);
    expect(JSON.parse(ps.stdout)).toEqual([]);

    const volumes = await runCli(['down', '--volumes'], env);
    expect(volumes.code).toBe(0);
    expect(existsSync(join(dir.path, 'temporal-monitored'))).toBe(false);
  });
});
