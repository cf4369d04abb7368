import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';

import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { workflowIds, type CurrentObservation } from '../../src/copilot/types.js';
import { createPostgresDriver } from '../../src/store/postgres-driver.js';
import { createAssessmentStore, type AssessmentStore } from '../../src/store/repository.js';
import type { SqlDriver } from '../../src/store/driver.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';
import { eventually, startCli } from '../helpers/cli.js';
import {
  createTestDatabase,
  startTestPostgres,
  type TestDatabase,
  type TestPostgresServer,
} from '../helpers/postgres.js';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CYCLES_PER_RUN = 4;

/**
 * The observe workflow on a real dev server at a 1 s cadence, watching that server through a real
 * Prometheus, storing in a real PostgreSQL, with the worker in its own process (the real CLI) so it
 * can be killed.
 */
describe('copilot workflows on a real dev server (1 s cadence)', () => {
  const dir = makeTempDir('headway-copilot-wf-');
  let server: DevServer;
  let prometheus: TestPrometheus;
  let pgServer: TestPostgresServer;
  let database: TestDatabase;
  let driver: SqlDriver;
  let store: AssessmentStore;
  let connection: Connection;
  let client: Client;
  let env: NodeJS.ProcessEnv;
  const workers: ChildProcess[] = [];
  // A local webhook receiver: every POST, by path (json / slack), with its idempotency key.
  const received: { path: string; key: string; body: Record<string, unknown> }[] = [];
  let receiver: Server;
  const ids = workflowIds('it');

  const current = (): Promise<CurrentObservation> =>
    client.workflow.getHandle(ids.observe).query<CurrentObservation>('current');

  const startWorker = (): ChildProcess => {
    const w = startCli(['copilot', 'worker', '--start'], env);
    workers.push(w.child);
    return w.child;
  };

  const untilState = (state: string, after: number, timeoutMs = 60_000) =>
    eventually(
      `the observe workflow to see ${state} after cycle ${String(after)}`,
      async () => {
        const c = await current();
        return c.evaluation?.health_state === state && c.cycle > after ? c : undefined;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    server = await startDevServer();
    prometheus = await startTestPrometheus([
      { job: 'temporal-monitored', address: new URL(server.metricsUrl).host },
    ]);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          key: String(req.headers['idempotency-key']),
          body: JSON.parse(body) as Record<string, unknown>,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${String((receiver.address() as { port: number }).port)}`;
    pgServer = await startTestPostgres();
    database = await createTestDatabase(pgServer);
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_COPILOT_ADDRESS: server.address,
      HEADWAY_CLUSTER_ID: 'it',
      HEADWAY_CADENCE_S: '1',
      HEADWAY_CYCLES_PER_RUN: String(CYCLES_PER_RUN),
      HEADWAY_PROMETHEUS_URL: prometheus.url,
      HEADWAY_STORE_URL: database.url,
      HEADWAY_LOG_FILE: server.logFile,
      HEADWAY_ALERT_WEBHOOKS: `${hook}/json`,
      HEADWAY_ALERT_SLACK_WEBHOOKS: `${hook}/slack`,
    };
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    // Each step on its own: one failing (say, PostgreSQL gone) must not leave servers running.
    const steps = [
      () => connection?.close(),
      () => driver?.close(),
      () => database?.drop(),
      () => pgServer?.stop(),
      () => prometheus?.stop(),
      () => server?.stop(),
      () => new Promise((resolve) => receiver?.close(resolve)),
    ];
    for (const step of steps) await Promise.resolve(step()).catch(() => undefined);
    dir.remove();
  }, 60_000);

  it('continues as new carrying its state, assesses only on a change, and survives a killed worker', async () => {
    const first = startWorker();

    // 1. A live state, then continue-as-new: the cycle count runs on across runs.
    const live = await untilState('happy', 0, 90_000);
    // The run id first, then the run's start cycle: a continue-as-new between the two reads only
    // makes the wait below ask for one more, never lets it pass on the run it started from.
    const firstRun = (await client.workflow.getHandle(ids.observe).describe()).runId;
    const before = await current();
    const firstRunStart = before.cycle - before.run_cycle;
    const carried = await eventually(
      'a continue-as-new',
      async () => {
        const c = await current();
        return c.cycle - c.run_cycle > firstRunStart && c.run_cycle < c.cycle ? c : undefined;
      },
      60_000,
    );
    expect((await client.workflow.getHandle(ids.observe).describe()).runId).not.toBe(firstRun);
    expect(carried.evaluation?.health_state).toBe('happy');
    expect(carried.window.length).toBeGreaterThan(1);
    expect(carried.assessments_started).toBe(live.assessments_started);

    // 2. Prometheus stops answering: unknown (never happy); back: happy again.
    prometheus.pause();
    const outage = await untilState('unknown', carried.cycle, 60_000);
    expect(outage.evaluation?.reasons.join(' ')).not.toBe('');
    prometheus.resume();
    const recovered = await untilState('happy', outage.cycle, 60_000);

    // Before any kill, alerting is exactly once: one JSON and one Slack message per state change
    // (a first observation that is happy is not an event; one that is not, is).
    driver = createPostgresDriver(database.url);
    // The copilot tags its rows with its cluster (HEADWAY_CLUSTER_ID): read them as that cluster.
    store = createAssessmentStore(driver, { defaultCluster: 'it' });
    const storedChanges = (atLeast: number) =>
      eventually(
        'every started assessment to be stored',
        async () => {
          const all = (
            await store.assessmentsBetween(new Date(0), new Date(Date.now() + 60_000))
          ).filter((x) => x.trigger === 'state_change');
          return all.length >= atLeast ? all : undefined;
        },
        60_000,
      );
    const alertsFor = (states: string[]) => (states[0] === 'happy' ? states.slice(1) : states);
    const byCycle = (xs: Record<string, unknown>[]) =>
      [...xs].sort((x, y) => Number(x.cycle) - Number(y.cycle));
    const firstStates = (await storedChanges(recovered.assessments_started)).map(
      (x) => x.health_state as string,
    );
    const expectedFirst = alertsFor(firstStates);
    const beforeKill = await eventually(
      'the alerts of the first outage',
      () => {
        const got = received.filter((r) => r.path === '/json');
        return got.length >= expectedFirst.length ? got : undefined;
      },
      60_000,
    );
    expect(byCycle(beforeKill.map((r) => r.body)).map((b) => b.to)).toEqual(expectedFirst);
    expect(
      await eventually('Slack alerts', () =>
        received.filter((r) => r.path === '/slack').length >= expectedFirst.length
          ? true
          : undefined,
      ),
    ).toBe(true);
    expect(received.filter((r) => r.path === '/slack')).toHaveLength(expectedFirst.length);
    expect(received.filter((r) => r.path === '/json')).toHaveLength(expectedFirst.length);

    // 3. Kill the worker mid-cycle; change the state while it is gone; a new worker resumes.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('close', r));
    prometheus.pause();
    startWorker();
    const outage2 = await untilState('unknown', recovered.cycle, 90_000);
    prometheus.resume();
    const back = await untilState('happy', outage2.cycle, 60_000);

    // One observe workflow, never two.
    const running: string[] = [];
    for await (const wf of client.workflow.list({
      query: `WorkflowId = '${ids.observe}' AND ExecutionStatus = 'Running'`,
    })) {
      running.push(wf.runId);
    }
    expect(running).toHaveLength(1);

    // Every state change the loop made has exactly one stored assessment, none lost to the kill.
    const stored = await storedChanges(back.assessments_started);
    expect(stored).toHaveLength(back.assessments_started);
    expect(new Set(stored.map((a) => a.id)).size).toBe(stored.length);
    // Each records whether the cluster was idle: the API's summary compares it with the present.
    for (const a of stored) {
      expect(typeof (a.metrics_snapshot as { is_idle?: unknown }).is_idle).toBe('boolean');
    }
    // … unknown, happy, unknown, happy at least; any extra came from real changes.
    const states = stored.map((a) => a.health_state as string);
    expect(states.at(-1)).toBe('happy');
    expect(states.filter((s) => s === 'unknown').length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < states.length; i++) expect(states[i]).not.toBe(states[i - 1]);

    // Across the kill, delivery is at least once: an alert in flight when the worker died is
    // sent again by the next worker with the SAME idempotency key, so a receiver that honours the
    // key sees exactly one message per state change, in order.
    const changes = alertsFor(states);
    const unique = (path: string) => {
      const byKey = new Map<string, Record<string, unknown>>();
      for (const r of received.filter((x) => x.path === path)) byKey.set(r.key, r.body);
      return [...byKey.values()];
    };
    const json = await eventually(
      'one JSON alert per state change',
      () => {
        const got = unique('/json');
        return got.length >= changes.length ? got : undefined;
      },
      60_000,
    );
    const ordered = byCycle(json);
    expect(ordered.map((b) => b.to)).toEqual(changes);
    expect(ordered.map((b) => b.from)).toEqual(
      states[0] === 'happy' ? states.slice(0, -1) : [null, ...states.slice(0, -1)],
    );
    expect(
      await eventually('Slack alerts', () =>
        unique('/slack').length >= changes.length ? true : undefined,
      ),
    ).toBe(true);
    expect(unique('/slack')).toHaveLength(changes.length);
    // Only the one message in flight at the kill may repeat.
    expect(received.filter((r) => r.path === '/json').length - json.length).toBeLessThanOrEqual(1);

    // Snapshots carry the decision of their cycle, with the outage's reason.
    const snaps = await store.snapshotsSince(new Date(0), 10_000);
    const outageSnaps = snaps.filter(
      (x) => x.observation?.health_state === 'unknown' && x.observation.cycle > carried.cycle,
    );
    expect(outageSnaps.length).toBeGreaterThan(0);
    for (const x of outageSnaps) expect(x.observation?.errors.join(' ')).toMatch(/prometheus/i);
  }, 360_000);
});
