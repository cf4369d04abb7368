/**
 * The distributed scenarios: faults only a multi-service cluster on PostgreSQL can have, run with
 * `headway scenario run NAME` on a cluster-profile stack (`profile: 'cluster'`). Timings follow
 * the same settings as the dev-profile scenarios (2 s cadence, 1 s scrape); docs/scenarios.md
 * has the measured runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import pg from 'pg';

import { FIELD } from '../model/signal-fields.js';
import { isRunning } from '../os/process-identity.js';
import { PrometheusClient } from '../signals/prometheus-client.js';
import type { ServiceName } from '../stack/index.js';

import type { FaultContext, ScenarioDefinition } from './definition.js';
import {
  LOAD,
  STALL_CRITICAL_S,
  WORKERS,
  baselineHappy,
  recoversHappy,
  waitFor,
} from './expectations.js';
import type { Expectation } from './types.js';

function criticalWithin(withinS: number): Expectation {
  return {
    id: 'critical',
    description: `fault: critical within ${String(withinS)} s`,
    mode: 'eventually',
    phase: 'fault',
    check: { type: 'state', states: ['critical'] },
    within_s: withinS,
    measures: 'detection',
  };
}

function namesWithin(id: string, pattern: string, what: string, withinS: number): Expectation {
  return {
    id,
    description: `fault: the assessment names ${what} as the likely cause`,
    mode: 'eventually',
    phase: 'fault',
    // The cause sentence, not any mention: a happy summary lists every service as fine.
    check: { type: 'names', pattern: `Likely cause: [^.]*(${pattern})` },
    within_s: withinS,
  };
}

/** A crashed instance is back when the supervisor has restarted it (new pid, running). */
async function restartedBySupervisor(ctx: FaultContext, name: string, pidBefore: number) {
  await waitFor(`${name} restarted by the supervisor`, 120_000, () => {
    const s = ctx.stack.service(name);
    return s.pid !== pidBefore && s.status === 'running' && isRunning(s);
  });
}

/**
 * A service and its direct children: PostgreSQL's backends and helpers are forked by the
 * postmaster but each calls setsid(), so a process-group signal reaches only the postmaster.
 * Only children of the recorded (identity-checked) pid are touched.
 */
function signalTree(ctx: FaultContext, name: string, sig: NodeJS.Signals): void {
  const s = ctx.stack.service(name);
  if (!isRunning(s)) return;
  process.kill(s.pid, sig);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === s.pid) process.kill(Number(pid), sig);
    } catch {
      // Exited while we looked.
    }
  }
}

/** The managed PostgreSQL's superuser, from the stack's 0600 password file. */
async function adminClient(ctx: FaultContext): Promise<pg.Client> {
  const password = readFileSync(join(ctx.stack.stateDir, 'postgres', 'password'), 'utf8').trim();
  const port = ctx.stack.service('postgres').ports.postgres;
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'headway',
    password,
    database: 'postgres',
    application_name: 'headway-scenario',
  });
  await client.connect();
  return client;
}

/**
 * The history instance that owns the most shards now, by the `numshards_gauge` each reports to
 * the stack's Prometheus. The ring spreads 4 shards over 2 instances unevenly, and often enough
 * one owns none: stopping that one moves nothing (a CI run caught it).
 */
async function busiestHistory(ctx: FaultContext): Promise<{ name: ServiceName; shards: number }> {
  const prometheus = new PrometheusClient({ baseUrl: ctx.stack.prometheusUrl });
  const owned = await prometheus.instant(
    'max by (temporal_instance) (numshards_gauge{temporal_service="history"})',
  );
  const [top] = owned
    .filter(
      (s) => Number.isFinite(s.value) && /^history-\d+$/.test(s.metric.temporal_instance ?? ''),
    )
    .sort((a, b) => b.value - a.value);
  if (top === undefined || top.value < 1) {
    throw new Error('no history instance reports owning a shard (numshards_gauge) to Prometheus');
  }
  return { name: `temporal-${top.metric.temporal_instance!}`, shards: top.value };
}

/** The history instance history-kill stopped, for its removal; set by its inject. */
let historyVictim: ServiceName | undefined;
const FRONTEND_VICTIM = 'temporal-frontend-0';
const MATCHING = ['temporal-matching-0', 'temporal-matching-1'];

export const CLUSTER_SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'history-kill',
    profile: 'cluster',
    summary:
      'one of two history instances hangs (SIGSTOP) under load, then is killed (SIGKILL) and ' +
      'restarted by the supervisor',
    proves:
      'a history instance lost moves its shards to the other, which the copilot sees as churn; the ' +
      'instance not scraped reads stressed and is named (never critical); happy once it has rejoined',
    expected:
      'stressed while the instance is not scraped, the instance named, shard churn seen, never critical; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      // A process the supervisor restarts at once rejoins before membership lets its shards go:
      // holding it hung is what makes it lost to the cluster, as a dead host is.
      description:
        'SIGSTOP the history instance that owns the most shards (they move to the other); ' +
        'SIGKILL it to recover, the supervisor restarts it',
      inject: async (ctx) => {
        const victim = await busiestHistory(ctx);
        historyVictim = victim.name;
        ctx.progress(`${victim.name} owns ${String(victim.shards)} shard(s): stopping it`);
        ctx.stack.signal(victim.name, 'SIGSTOP');
      },
      remove: async (ctx) => {
        if (historyVictim === undefined) return;
        const victim = historyVictim;
        historyVictim = undefined;
        const before = ctx.stack.service(victim).pid;
        ctx.stack.signal(victim, 'SIGKILL');
        await restartedBySupervisor(ctx, victim, before);
      },
      minHoldS: 60,
      maxHoldS: 120,
    },
    // The restart gate holds stressed while the restart is in its two-minute window.
    recoveryMaxS: 270,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'churn-seen',
        description:
          'fault: the copilot sees the lost instance (shard churn rises above its baseline)',
        mode: 'eventually',
        phase: 'fault',
        // The 5-minute rate may still carry the stack's start, when shards moved as instances joined.
        check: {
          type: 'signal',
          field: FIELD.shardChurn,
          op: '>',
          value: 0,
          sincePhaseStart: true,
        },
        within_s: 90,
        measures: 'detection',
      },
      {
        id: 'instance-not-scraped',
        description: 'fault: the reason names the instance that is not scraped',
        mode: 'eventually',
        phase: 'fault',
        check: {
          type: 'reason',
          pattern: 'not scraped: .*history-\\d',
        },
        within_s: 30,
      },
      {
        id: 'never-critical',
        description:
          'fault and recovery: never critical (a lost instance of two is not an outage, it is stress)',
        mode: 'always',
        phases: ['fault', 'recovery'],
        check: { type: 'state', states: ['happy', 'stressed', 'unknown'] },
      },
      recoversHappy(240),
    ],
  },
  {
    name: 'matching-stopped',
    profile: 'cluster',
    summary: 'every matching instance frozen (SIGSTOP) under load',
    proves:
      'with no matching, work waits: the copilot goes critical and names matching; happy once ' +
      'matching runs again',
    expected: 'stressed → critical, matching named; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: 'SIGSTOP both matching instances; SIGCONT to recover',
      inject: async (ctx) => {
        for (const m of MATCHING) ctx.stack.signal(m, 'SIGSTOP');
        await Promise.resolve();
      },
      remove: async (ctx) => {
        for (const m of MATCHING) ctx.stack.signal(m, 'SIGCONT');
        await Promise.resolve();
      },
      minHoldS: 60,
      maxHoldS: STALL_CRITICAL_S + 60,
    },
    recoveryMaxS: 180,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'not-happy',
        description: 'fault: never happy once the frozen matching instances are seen missing',
        mode: 'always',
        phases: ['fault'],
        check: { type: 'state', states: ['unknown', 'stressed', 'critical'] },
        since: { type: 'reason', pattern: 'matching: none of' },
      },
      {
        id: 'matching-missing',
        description: 'fault: the reason says matching has no instance up',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'reason', pattern: 'matching: none of' },
        within_s: 30,
        measures: 'detection',
      },
      criticalWithin(STALL_CRITICAL_S + 30),
      namesWithin('matching-named', 'matching', 'matching', STALL_CRITICAL_S + 30),
      recoversHappy(180),
    ],
  },
  {
    name: 'postgres-frozen',
    profile: 'cluster',
    summary: 'PostgreSQL frozen (SIGSTOP to the server and every backend) under load',
    proves:
      'a database that stops answering shows as persistence latency and errors, critical, with ' +
      'persistence named; happy once it runs again',
    expected: 'stressed → critical, persistence named; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: 'SIGSTOP PostgreSQL and every backend; SIGCONT to recover',
      inject: async (ctx) => {
        signalTree(ctx, 'postgres', 'SIGSTOP');
        await Promise.resolve();
      },
      remove: async (ctx) => {
        signalTree(ctx, 'postgres', 'SIGCONT');
        await Promise.resolve();
      },
      minHoldS: 60,
      maxHoldS: STALL_CRITICAL_S + 60,
    },
    // Requests that waited out the freeze complete when it ends, with latencies of minutes, and the
    // p99 signals keep them for their 5-minute window: stressed (never critical) until they leave.
    recoveryMaxS: 420,
    settleS: 10,
    expectations: [
      baselineHappy,
      criticalWithin(STALL_CRITICAL_S + 30),
      namesWithin(
        'persistence-named',
        'persistence|database',
        'persistence',
        STALL_CRITICAL_S + 30,
      ),
      recoversHappy(400),
    ],
  },
  {
    name: 'postgres-connections-exhausted',
    profile: 'cluster',
    summary: "Temporal's database role limited to 2 connections and its sessions ended, under load",
    proves:
      'a database that refuses connections (the pool cannot fill) shows as persistence errors ' +
      'and the copilot names persistence; happy once connections are allowed again',
    expected: 'stressed or critical, persistence named; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description:
        'ALTER ROLE temporal CONNECTION LIMIT 2 and end its sessions; CONNECTION LIMIT -1 to recover',
      inject: async (ctx) => {
        const admin = await adminClient(ctx);
        try {
          await admin.query('ALTER ROLE temporal CONNECTION LIMIT 2');
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'temporal'",
          );
        } finally {
          await admin.end();
        }
      },
      remove: async (ctx) => {
        const admin = await adminClient(ctx);
        try {
          await admin.query('ALTER ROLE temporal CONNECTION LIMIT -1');
        } finally {
          await admin.end();
        }
      },
      minHoldS: 60,
      maxHoldS: STALL_CRITICAL_S + 30,
    },
    // Work piled up for minutes behind two connections: the backlog drains and the latency
    // windows empty before happy holds (measured 170 s to the first happy).
    recoveryMaxS: 320,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'persistence-errors',
        description: 'fault: persistence errors seen (> 0/s)',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'signal', field: FIELD.persistenceErrors, op: '>', value: 0 },
        within_s: 90,
        measures: 'detection',
      },
      namesWithin('persistence-named', 'persistence|database', 'persistence', STALL_CRITICAL_S),
      recoversHappy(300),
    ],
  },
  {
    name: 'frontend-restart',
    profile: 'cluster',
    summary: 'the frontend stopped (SIGTERM) and restarted by the supervisor while load runs',
    proves:
      'a frontend restart is transient: at most stressed, no workflow lost (the load counts show ' +
      'every started workflow completed), happy again after',
    expected: 'happy or stressed; happy after; no lost workflow',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: `SIGTERM ${FRONTEND_VICTIM}; the supervisor restarts it`,
      inject: async (ctx) => {
        const before = ctx.stack.service(FRONTEND_VICTIM).pid;
        ctx.stack.signal(FRONTEND_VICTIM, 'SIGTERM');
        await restartedBySupervisor(ctx, FRONTEND_VICTIM, before);
      },
      remove: async () => {
        // Restarted during inject.
      },
      minHoldS: 30,
      maxHoldS: 90,
    },
    recoveryMaxS: 270,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'never-critical',
        description: 'fault and recovery: never critical',
        mode: 'always',
        phases: ['fault', 'recovery'],
        check: { type: 'state', states: ['happy', 'stressed', 'unknown'] },
      },
      recoversHappy(240),
    ],
    checksLostWorkflows: true,
  },
];
