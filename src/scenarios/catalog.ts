/**
 * The scenarios: each a known condition put on the local cluster, and what the copilot must say
 * about it. Timings assume the scenario settings (2 s cadence, 1 s scrape, critical after 90 s of
 * critical evaluations); see docs/scenarios.md for how they were measured.
 */

import { ErrorCode, HeadwayError } from '../errors.js';
import { FIELD } from '../model/signal-fields.js';
import { isRunning } from '../os/process-identity.js';
import { isTemporalServing } from '../temporal/reachability.js';

import { CLUSTER_SCENARIOS } from './catalog-cluster.js';
import type { FaultContext, ScenarioDefinition } from './definition.js';
import {
  LOAD,
  RECOVERY_HOLD_S,
  STALL_CRITICAL_S,
  WORKERS,
  baselineHappy,
  recoversHappy,
  waitFor,
} from './expectations.js';
import type { Expectation } from './types.js';

/**
 * How long an outage of Prometheus or the server may take to read unknown: the collection under
 * way when it starts waits out its remaining query batches (each up to the 2 s query timeout),
 * then one cycle, then the API's one-second cache. Measured at about 10 s.
 */
const OUTAGE_NOTICE_S = 25;

/** An outage's notice: unknown within the measured bound; the detection time. */
const unknownSoon: Expectation = {
  id: 'unknown',
  description: `fault: unknown within ${OUTAGE_NOTICE_S} s`,
  mode: 'eventually',
  phase: 'fault',
  check: { type: 'state', states: ['unknown'] },
  within_s: OUTAGE_NOTICE_S,
  measures: 'detection',
};

/** Once the copilot said unknown, it must not say happy again while the fault lasts. */
function neverHappyWhile(what: string): Expectation {
  return {
    id: 'never-happy',
    description: `fault: once unknown, never happy again while ${what}`,
    mode: 'always',
    phases: ['fault'],
    check: { type: 'state', states: ['unknown', 'stressed', 'critical'] },
    since: { type: 'state', states: ['unknown'] },
  };
}

/** A stall confirmed: stressed first, then critical; the detection time. */
const stressedThenCritical: Expectation = {
  id: 'stressed-then-critical',
  description: 'fault: stressed, then critical',
  mode: 'eventually',
  phase: 'fault',
  check: { type: 'state', states: ['critical'] },
  after: { type: 'state', states: ['stressed'] },
  within_s: STALL_CRITICAL_S,
  measures: 'detection',
};

/** Freezes a stack service (SIGSTOP by its recorded pid) and lets it go again (SIGCONT). */
function pauseFault(service: 'prometheus' | 'temporal-monitored', description: string) {
  return {
    description,
    inject: async (ctx: FaultContext) => {
      ctx.stack.signal(service, 'SIGSTOP');
      await Promise.resolve();
    },
    remove: async (ctx: FaultContext) => {
      ctx.stack.signal(service, 'SIGCONT');
      await Promise.resolve();
    },
    minHoldS: 40,
    maxHoldS: 60,
  };
}

export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'steady',
    summary: `moderate healthy load (${LOAD.rate} workflows/s of ${LOAD.steps} sequential activities)`,
    proves: 'a healthy loaded cluster is happy, judged by forward progress, with no false alarm',
    expected: 'happy throughout, by forward progress (not idle)',
    load: LOAD,
    workers: WORKERS,
    baselineS: 90,
    fault: null,
    recoveryMaxS: 0,
    settleS: 0,
    expectations: [
      baselineHappy,
      {
        id: 'forward-progress',
        description: 'happy because every healthy gate passes, not because it looks idle',
        mode: 'always',
        phases: ['baseline'],
        check: { type: 'reason', pattern: 'forward progress healthy' },
      },
    ],
  },
  {
    name: 'idle',
    summary: 'workers polling, no workflow started',
    proves:
      'no demand is happy (idle), never critical: a low throughput with nothing to do is no failure',
    expected: 'happy (idle) throughout',
    load: null,
    workers: WORKERS,
    baselineS: 60,
    fault: null,
    recoveryMaxS: 0,
    settleS: 0,
    expectations: [
      { ...baselineHappy, description: 'happy throughout (never critical or stressed)' },
      {
        id: 'idle-rule',
        description: 'the idle rule decides',
        mode: 'always',
        phases: ['baseline'],
        check: { type: 'reason', pattern: '^idle:' },
      },
    ],
  },
  {
    name: 'worker-outage',
    summary: 'every worker stopped under load; the generator keeps starting workflows',
    proves:
      'work that reaches matching and nobody takes is stressed, then critical, with the workers ' +
      'named as the bottleneck although a stopped worker exports no metrics; happy once workers return',
    expected: 'stressed → critical (nothing dispatched), worker-limited; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description:
        'stop every worker (its SDK metrics target goes with it); start new ones to recover',
      inject: async (ctx: FaultContext) => {
        await ctx.workers.stop();
        ctx.workerMetrics.unregister();
      },
      remove: async (ctx: FaultContext) => {
        ctx.workerMetrics.register();
        await ctx.workers.start();
      },
      minHoldS: 60,
      maxHoldS: STALL_CRITICAL_S + 30,
    },
    recoveryMaxS: 150,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'stall-seen',
        description: 'fault: matching hands out almost none of the tasks that arrive (ratio < 0.1)',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'signal', field: FIELD.dispatchRatio, op: '<', value: 0.1 },
        within_s: 90,
      },
      {
        id: 'backlog-seen',
        description: 'fault: the copilot sees tasks piling up in matching (backlog depth > 20)',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'signal', field: FIELD.taskBacklogDepth, op: '>', value: 20 },
        // Matching reports the backlog count about once a minute.
        within_s: 120,
      },
      stressedThenCritical,
      {
        id: 'bottleneck',
        description:
          'fault: bottleneck worker-limited (from matching: the stopped workers export nothing)',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'bottleneck', values: ['worker_limited'] },
        within_s: STALL_CRITICAL_S,
      },
      {
        id: 'workers-service',
        description: 'fault: /status/services shows the workers blocked',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'service', service: 'workers', statuses: ['critical'] },
        within_s: 120,
      },
      {
        id: 'cause-named',
        description: 'fault: the assessment says no worker takes the work',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'names', pattern: 'no worker tak|nobody takes' },
        within_s: STALL_CRITICAL_S,
      },
      {
        id: 'catching-up',
        description:
          'recovery: the returning workers complete more than the load offers (the backlog drains)',
        mode: 'eventually',
        phase: 'recovery',
        check: { type: 'signal', field: FIELD.success, op: '>', value: LOAD.rate * 1.25 },
        within_s: 120,
      },
      {
        id: 'workers-set-the-pace',
        description: 'recovery: while they catch up, the bottleneck is worker-limited',
        mode: 'eventually',
        phase: 'recovery',
        check: { type: 'bottleneck', values: ['worker_limited'] },
        within_s: 90,
      },
      recoversHappy(150),
    ],
    // Work started while no worker ran is still there when workers return: none is lost.
    checksLostWorkflows: true,
  },
  {
    name: 'slow-activities',
    summary: 'activities slow from instant to 3 s each: more work than the activity slots can hold',
    proves: 'worker-side pressure is named as worker-limited, not blamed on the server',
    expected: 'happy, bottleneck worker-limited, workers under pressure; workers happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: 'every step activity takes 3 s (10 activity slots, about 24 needed)',
      inject: async (ctx) => {
        ctx.knobs.delayMs = 3_000;
        await Promise.resolve();
      },
      remove: async (ctx) => {
        ctx.knobs.delayMs = 0;
        await Promise.resolve();
      },
      minHoldS: 60,
      maxHoldS: 150,
    },
    recoveryMaxS: 420,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'worker-limited',
        description: 'fault: the summary names the bottleneck worker-limited',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'bottleneck', values: ['worker_limited'] },
        within_s: 120,
        measures: 'detection',
      },
      {
        id: 'workers-service',
        description: 'fault: /status/services shows the workers under pressure',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'service', service: 'workers', statuses: ['stressed', 'critical'] },
        within_s: 90,
      },
      {
        id: 'workers-recover',
        description: `recovery: /status/services shows the workers happy again, for ${RECOVERY_HOLD_S} s`,
        mode: 'eventually',
        phase: 'recovery',
        check: { type: 'service', service: 'workers', statuses: ['happy'] },
        hold_s: RECOVERY_HOLD_S,
        // The workers' view reads schedule-to-start p95 over a 5 min window: the tasks that waited
        // during the fault keep it high until they leave the window.
        within_s: 420,
        measures: 'recovery',
      },
      recoversHappy(180, false),
    ],
  },
  {
    name: 'failing-workflows',
    summary: '90% of new workflows fail (an application failure after their activities)',
    proves: 'a collapse of the completion rate fires the completion-rate gate and goes critical',
    expected: 'happy → stressed → critical (completion rate); happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: '90% of starts get a workflow that fails',
      inject: async (ctx) => {
        if (ctx.load !== undefined) ctx.load.failShare = 0.9;
        await Promise.resolve();
      },
      remove: async (ctx) => {
        if (ctx.load !== undefined) ctx.load.failShare = 0;
        await Promise.resolve();
      },
      minHoldS: 60,
      maxHoldS: 240,
    },
    recoveryMaxS: 180,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'completion-gate',
        description: 'fault: the critical completion-rate gate fires',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'gate', gates: ['critical.completion_rate'] },
        within_s: 120,
      },
      {
        id: 'critical',
        description: 'fault: critical, after stressed',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'state', states: ['critical'] },
        after: { type: 'state', states: ['stressed'] },
        within_s: 240,
        measures: 'detection',
      },
      recoversHappy(180),
    ],
  },
  {
    name: 'no-poller',
    summary: 'every new workflow is started on a task queue no worker polls',
    proves:
      'work sent where nobody polls is stressed, then critical, seen in the poller, dispatch and ' +
      'backlog signals, with the missing pollers named as the cause',
    expected:
      'stressed → critical (nothing dispatched), no-poller signal, cause named; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description: 'send every start to a task queue with no worker',
      inject: async (ctx) => {
        if (ctx.load !== undefined) ctx.load.misrouteShare = 1;
        await Promise.resolve();
      },
      remove: async (ctx) => {
        if (ctx.load !== undefined) ctx.load.misrouteShare = 0;
        await Promise.resolve();
      },
      minHoldS: 60,
      maxHoldS: STALL_CRITICAL_S + 30,
    },
    recoveryMaxS: 150,
    settleS: 10,
    expectations: [
      baselineHappy,
      {
        id: 'no-poller-signal',
        description: 'fault: the no-poller signal shows tasks nobody will pick up',
        mode: 'eventually',
        phase: 'fault',
        check: {
          type: 'signal',
          field: FIELD.noPollerTasks,
          op: '>',
          value: 0,
        },
        within_s: 60,
      },
      {
        id: 'backlog-seen',
        description: 'fault: the copilot sees the unpolled tasks waiting (backlog depth > 20)',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'signal', field: FIELD.taskBacklogDepth, op: '>', value: 20 },
        // Matching reports the backlog count about once a minute.
        within_s: 120,
      },
      stressedThenCritical,
      {
        id: 'cause-named',
        description: 'fault: the assessment names the missing pollers as the cause',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'names', pattern: 'nobody polls|no (recent )?poller' },
        within_s: 120,
      },
      // The unpolled tasks stay where they are; happy needs their arrivals out of the one-minute
      // rate window, and the state to come down from critical.
      recoversHappy(150),
    ],
  },
  {
    name: 'metrics-outage',
    summary: 'Prometheus paused (SIGSTOP) under load, then resumed',
    proves: 'no data is unknown, never happy, and the copilot recovers when data returns',
    expected: 'unknown while out (never happy); happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: pauseFault(
      'prometheus',
      'SIGSTOP Prometheus (by the pid in this stack’s stack.json); SIGCONT to recover',
    ),
    recoveryMaxS: 120,
    settleS: 10,
    expectations: [
      baselineHappy,
      unknownSoon,
      neverHappyWhile('Prometheus is out'),
      recoversHappy(90),
    ],
  },
  {
    name: 'server-hang',
    summary: 'the monitored Temporal server frozen (SIGSTOP) under load for 40 s, then resumed',
    proves:
      'a server that stops answering is unknown (not scraped), never happy, and recovery is seen',
    expected: 'unknown while frozen (never happy); happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: pauseFault(
      'temporal-monitored',
      'SIGSTOP temporal-monitored (by the pid in this stack’s stack.json); SIGCONT',
    ),
    recoveryMaxS: 180,
    settleS: 10,
    expectations: [
      baselineHappy,
      unknownSoon,
      {
        id: 'not-scraped',
        description: 'fault: the reason says the server is not being scraped',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'reason', pattern: 'not being scraped' },
        within_s: OUTAGE_NOTICE_S,
      },
      neverHappyWhile('the server is frozen'),
      recoversHappy(180),
    ],
  },
  {
    name: 'server-restart',
    summary:
      'the monitored Temporal server killed (SIGKILL) under load; the supervisor restarts it',
    proves:
      'a crash is noticed even when the server is back within a second (transient pressure from ' +
      'the restart), never critical, work goes on, and the state settles once the restart is past',
    expected: 'stressed (restart seen), never critical; work continues; happy after',
    load: LOAD,
    workers: WORKERS,
    baselineS: 20,
    fault: {
      description:
        'SIGKILL temporal-monitored; the supervisor restarts it (with its SQLite data) within seconds',
      inject: async (ctx) => {
        const before = ctx.stack.service('temporal-monitored');
        ctx.stack.signal('temporal-monitored', 'SIGKILL');
        await waitFor('the monitored server to exit', 10_000, () =>
          Promise.resolve(!isRunning(before)),
        );
      },
      remove: async (ctx) => {
        await waitFor('the supervisor to restart the monitored server', 90_000, async () => {
          const s = ctx.stack.service('temporal-monitored');
          if (s.status !== 'running' || s.restarts < 1) return false;
          return isTemporalServing(ctx.stack.temporalAddress, 2_000);
        });
      },
      // The fault phase lasts until the copilot has seen the restart (or 60 s).
      minHoldS: 5,
      maxHoldS: 60,
    },
    // The restart stays in the signal's two-minute window, then the state settles.
    recoveryMaxS: 210,
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
      {
        id: 'restart-seen',
        description: 'fault: stressed, the restart gate fired',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'gate', gates: ['stressed.server_restarts'] },
        within_s: 45,
        measures: 'detection',
      },
      {
        id: 'cause-named',
        description: 'fault: the assessment says the server restarted',
        mode: 'eventually',
        phase: 'fault',
        check: { type: 'names', pattern: 'restarted' },
        within_s: 60,
      },
      {
        id: 'work-continues',
        description: 'recovery: workflows keep completing at the offered rate',
        mode: 'eventually',
        phase: 'recovery',
        check: { type: 'signal', field: FIELD.success, op: '>=', value: LOAD.rate * 0.75 },
        within_s: 60,
      },
      recoversHappy(200),
    ],
  },
];

export const ALL_SCENARIOS: readonly ScenarioDefinition[] = [...SCENARIOS, ...CLUSTER_SCENARIOS];

export function findScenario(name: string): ScenarioDefinition {
  const def = ALL_SCENARIOS.find((s) => s.name === name);
  if (def === undefined) {
    throw new HeadwayError(ErrorCode.Usage, `no scenario named ${name}`, {
      hint: `one of: ${SCENARIOS.map((s) => s.name).join(', ')} (headway scenario list)`,
    });
  }
  return def;
}
