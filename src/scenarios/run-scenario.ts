/**
 * One scenario run: its own stack, in-process workers and load, the fault injected, held and
 * removed, the copilot's API polled every second throughout, the stack torn down whatever happens,
 * and the recorded trajectory judged against the scenario's expectations.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { errorMessage } from '../errors.js';
import { createRootLogger } from '../log/logger.js';
import type { ThresholdOverrides } from '../health/thresholds.js';
import { findFreePorts } from '../os/ports.js';
import { registerTarget } from '../prometheus/scrape-targets.js';
import { connectClient, connectNative } from '../temporal/connection.js';
import { installRuntime } from '../temporal/runtime.js';

import { ActivityKnobs } from './activities.js';
import type { FaultContext, ScenarioDefinition } from './definition.js';
import { checkNoLostWorkflows } from './lost-workflows.js';
import { LoadStream, type LoadCounts, type LoadSpec } from './load-stream.js';
import { Observer } from './observer.js';
import { startScenarioStack, type ScenarioStack } from './stack.js';
import {
  judgeExpectations,
  measuredTime,
  phaseSatisfied,
  phaseWindows,
  trajectoryText,
} from './trajectory.js';
import type { ExpectationResult, Observation, Phase, PhaseMark } from './types.js';
import { scenarioWorkers } from './worker.js';

export const RESULT_SCHEMA = 'headway-scenario/1';

export interface ScenarioSettings {
  /** The copilot's observation cadence (s). */
  readonly cadenceS: number;
  /** Prometheus scrape interval, e.g. `1s`. */
  readonly scrapeInterval: string;
  /** Per-query Prometheus timeout: a paused Prometheus costs a cycle about this long. */
  readonly queryTimeoutMs: number;
  readonly scheduledIntervalS: number;
  /** The warm-up lasts at least this long: the longest rate window the registry uses is 1 min. */
  readonly warmupMinS: number;
  /** …and at most this long, even when the baseline never settles (then the baseline fails). */
  readonly warmupMaxS: number;
  /**
   * CI pace: a 20 s warm-up, at most 10 s of baseline, half the minimum fault hold and 5 s of
   * settling. The expectations and their deadlines stay the same.
   */
  readonly quick: boolean;
  /** The stack's profile; a scenario that needs the cluster profile gets it whatever this says. */
  readonly profile: 'dev' | 'cluster';
}

export const DEFAULT_SETTINGS: ScenarioSettings = {
  cadenceS: 2,
  scrapeInterval: '1s',
  queryTimeoutMs: 2_000,
  scheduledIntervalS: 10,
  warmupMinS: 65,
  warmupMaxS: 240,
  quick: false,
  profile: 'dev',
};

/** The scenario at CI pace (see `ScenarioSettings.quick`). */
export function quicken(def: ScenarioDefinition): ScenarioDefinition {
  return {
    ...def,
    baselineS: Math.min(def.baselineS, 10),
    settleS: Math.min(def.settleS, 5),
    fault:
      def.fault === null ? null : { ...def.fault, minHoldS: Math.ceil(def.fault.minHoldS / 2) },
  };
}

/** The evidence the defaults ask before critical: 3 evaluations at the default 30 s cadence. */
export const CRITICAL_EVIDENCE_S = 90;

/**
 * Threshold rules that count evaluations or scrapes, scaled to the scenario's cadence and scrape
 * interval so a short cadence asks for the same evidence in time as the default one does:
 * consecutive_critical keeps 90 s of critical evaluations, and data older than ten scrapes (at
 * least 10 s) is stale. Applied through the stack's headway.yml (`signals.thresholds.rules`).
 */
export function scaledThresholds(cadenceS: number, scrapeIntervalS: number): ThresholdOverrides {
  return {
    rules: {
      consecutive_critical: Math.max(3, Math.ceil(CRITICAL_EVIDENCE_S / cadenceS)),
      max_scrape_age_s: Math.max(10, 10 * scrapeIntervalS),
    },
  };
}

/** `1s`, `500ms`, `2m` → seconds. */
export function intervalSeconds(text: string): number {
  const m = /^([0-9]+)(ms|s|m)$/.exec(text);
  if (m === null) throw new RangeError(`not a scrape interval: ${text}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1_000 : m[2] === 'm' ? n * 60 : n;
}

export interface ScenarioResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly scenario: string;
  readonly summary: string;
  readonly proves: string;
  readonly expected: string;
  readonly fault: string | null;
  readonly started_at: string;
  /** The whole run, stack start and teardown included. */
  readonly duration_s: number;
  readonly stack_up_s: number | null;
  readonly settings: ScenarioSettings & { readonly thresholds: ThresholdOverrides };
  readonly load: LoadSpec | null;
  readonly load_counts: LoadCounts | null;
  readonly phases: readonly { phase: Phase; start_s: number; end_s: number }[];
  readonly expectations: readonly ExpectationResult[];
  /** Fault start → the expected state first observed (s). */
  readonly detection_s: number | null;
  /** Fault removed → happy first observed (s). */
  readonly recovery_s: number | null;
  readonly trajectory: string;
  readonly passed: boolean;
  /** Why the run itself failed (stack did not come up, …); expectations are then not judged. */
  readonly error: string | null;
  readonly polls: { readonly total: number; readonly unanswered: number };
  readonly notes: readonly string[];
  readonly observations: readonly Observation[];
}

export interface RunOptions {
  readonly progress: (message: string) => void;
  readonly settings?: Partial<ScenarioSettings>;
  /** Ends the run early (Ctrl-C): the fault is removed and the stack torn down all the same. */
  readonly signal?: AbortSignal;
}

let runtime: Promise<string> | undefined;

/**
 * The process-wide Temporal runtime with SDK metrics on a free port (installed once: the SDK
 * refuses a second). Its series outlive the workers that made them, which is why `run --all`
 * runs each scenario in a process of its own.
 */
function sdkMetricsAddress(): Promise<string> {
  runtime ??= (async () => {
    const address = `127.0.0.1:${(await findFreePorts(1))[0]!}`;
    installRuntime({
      logger: createRootLogger({ component: 'scenario', level: 'error', pid: true }),
      metricsBindAddress: address,
    });
    return address;
  })();
  return runtime;
}

const WORKER_TARGET_ID = `scenario-worker-${process.pid}`;

export async function runScenario(
  scenario: ScenarioDefinition,
  options: RunOptions,
): Promise<ScenarioResult> {
  const given: ScenarioSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const settings: ScenarioSettings = given.quick
    ? { ...given, warmupMinS: Math.min(given.warmupMinS, 20) }
    : given;
  const def = settings.quick ? quicken(scenario) : scenario;
  const thresholds = scaledThresholds(settings.cadenceS, intervalSeconds(settings.scrapeInterval));
  const say = (message: string): void => options.progress(`[${def.name}] ${message}`);
  const startedAt = new Date();
  const notes: string[] = [];
  const marks: PhaseMark[] = [];
  const parts: RunParts = {};
  let stack: ScenarioStack | undefined;
  let stackUpS: number | null = null;
  let error: string | null = null;
  let endMs: number;

  // An error thrown from a library's timer (a gRPC retry racing a closed connection, say) must
  // not end the process before the stack is torn down: it is recorded instead.
  const onUncaught = (err: unknown): void => {
    const message = `unexpected error: ${errorMessage(err)}`;
    notes.push(message);
    say(message);
  };
  process.on('uncaughtException', onUncaught);
  try {
    if (options.signal?.aborted === true) throw new Error('interrupted before the stack started');
    const metricsAddress = await sdkMetricsAddress();
    stack = await startScenarioStack(
      {
        profile: def.profile ?? settings.profile,
        cadenceS: settings.cadenceS,
        scrapeInterval: settings.scrapeInterval,
        queryTimeoutMs: settings.queryTimeoutMs,
        scheduledIntervalS: settings.scheduledIntervalS,
        thresholds,
      },
      say,
    );
    if (stack.retriedAfter !== null) {
      notes.push(`the stack came up on a second attempt; the first: ${stack.retriedAfter}`);
    }
    stackUpS = Math.round((Date.now() - startedAt.getTime()) / 100) / 10;
    say(`stack ready in ${stackUpS} s`);
    endMs = await drive(def, settings, {
      stack,
      metricsAddress,
      say,
      notes,
      marks,
      parts,
      signal: options.signal,
    });
  } catch (err) {
    error = errorMessage(err);
    say(`run failed: ${error}`);
    endMs = parts.observer?.now() ?? 0;
  } finally {
    if (stack !== undefined) {
      say('tearing the stack down (down --volumes)');
      await stack.down().catch((err: unknown) => {
        notes.push(`teardown: ${errorMessage(err)}`);
      });
    }
    process.off('uncaughtException', onUncaught);
  }

  const observations = parts.observer?.observations ?? [];
  const judged =
    error === null
      ? [
          ...judgeExpectations(def.expectations, observations, marks, endMs),
          ...(parts.lostCheck === undefined ? [] : [parts.lostCheck]),
        ]
      : [];
  const passed = error === null && judged.every((r) => r.status !== 'fail');
  const result: ScenarioResult = {
    schema: RESULT_SCHEMA,
    scenario: def.name,
    summary: def.summary,
    proves: def.proves,
    expected: def.expected,
    fault: def.fault?.description ?? null,
    started_at: startedAt.toISOString(),
    duration_s: Math.round((Date.now() - startedAt.getTime()) / 1_000),
    stack_up_s: stackUpS,
    settings: { ...settings, thresholds },
    load: def.load,
    load_counts: parts.load?.counts() ?? null,
    phases: phaseWindows(marks, endMs).map((w) => ({
      phase: w.phase,
      start_s: Math.round(w.start_ms / 100) / 10,
      end_s: Math.round(w.end_ms / 100) / 10,
    })),
    expectations: judged,
    detection_s: measuredTime('detection', def.expectations, judged),
    recovery_s: measuredTime('recovery', def.expectations, judged),
    trajectory: trajectoryText(observations, marks, endMs),
    passed,
    error,
    polls: {
      total: observations.length,
      unanswered: observations.filter((o) => o.health_state === null).length,
    },
    notes,
    observations,
  };
  say(
    `${passed ? 'PASS' : 'FAIL'}: ${result.trajectory}` +
      (result.detection_s === null ? '' : `; detected in ${result.detection_s} s`) +
      (result.recovery_s === null ? '' : `; recovered in ${result.recovery_s} s`),
  );
  return result;
}

/** What a run builds while it goes, kept by the caller so a failed run still reports it. */
interface RunParts {
  observer?: Observer;
  load?: LoadStream;
  lostCheck?: ExpectationResult;
}

interface DriveContext {
  readonly stack: ScenarioStack;
  readonly metricsAddress: string;
  readonly say: (message: string) => void;
  readonly notes: string[];
  readonly marks: PhaseMark[];
  readonly parts: RunParts;
  readonly signal: AbortSignal | undefined;
}

/** The part of a run that needs the stack: returns (ms since the origin) when the last phase ends. */
async function drive(
  def: ScenarioDefinition,
  settings: ScenarioSettings,
  { stack, metricsAddress, say, notes, marks, parts, signal }: DriveContext,
): Promise<number> {
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal });
  const connection = {
    address: stack.temporalAddress,
    namespace: 'default',
    apiKey: undefined,
    tls: undefined,
    metadata: undefined,
    connectTimeoutMs: 10_000,
  };
  const taskQueue = `scenario-${def.name}`;
  const knobs = new ActivityKnobs();
  let unregister: (() => void) | undefined;
  const workerMetrics = {
    register: () => {
      unregister ??= registerTarget(stack.targetsDir, {
        id: WORKER_TARGET_ID,
        job: 'headway-worker',
        address: metricsAddress,
        labels: { task_queue: taskQueue },
      });
    },
    unregister: () => {
      unregister?.();
      unregister = undefined;
    },
  };
  const noteOnce = (message: string): void => {
    if (!notes.includes(message)) notes.push(message);
    say(message);
  };
  const workers = scenarioWorkers({
    connect: () => connectNative(connection),
    namespace: connection.namespace,
    taskQueue,
    count: def.workers.count,
    workflowSlots: def.workers.workflowSlots,
    activitySlots: def.workers.activitySlots,
    knobs,
    onError: noteOnce,
  });
  let load: LoadStream | undefined;
  let observer: Observer | undefined;
  const ctx = (): FaultContext => ({
    stack,
    workers,
    load,
    knobs,
    workerMetrics,
    progress: say,
  });
  let faultActive = false;
  try {
    workerMetrics.register();
    await workers.start();
    const client = await connectClient(connection);
    const idPrefix = `${def.name}-${Date.now().toString(36)}`;
    const plannedS =
      settings.warmupMaxS +
      def.baselineS +
      (def.fault === null ? 0 : def.fault.maxHoldS + def.recoveryMaxS) +
      120;
    if (def.load !== null) {
      load = new LoadStream(client.client, def.load, {
        taskQueue,
        unpolledQueue: `${taskQueue}-unpolled`,
        idPrefix,
        maxDurationMs: plannedS * 1_000,
        onError: noteOnce,
      });
      parts.load = load;
      load.start();
      say(`load: ${def.load.rate} workflows/s, ${def.load.steps} steps each`);
    }

    let lastState: string | null = null;
    const obs = new Observer(stack.apiUrl, {
      origin: Date.now(),
      onObservation: (o) => {
        const state = o.health_state ?? 'no answer';
        if (state !== lastState) {
          say(
            `+${Math.round(o.t_ms / 1_000)}s ${o.phase}: ${lastState ?? 'start'} → ${state}` +
              (o.fired_gates.length > 0 ? ` (${o.fired_gates.join(', ')})` : '') +
              (o.health_state === null ? ` (${o.error ?? ''})` : ''),
          );
          lastState = state;
        }
      },
    });
    observer = obs;
    parts.observer = obs;
    const mark = (phase: Phase): number => {
      obs.phase = phase;
      const start = obs.now();
      marks.push({ phase, start_ms: start });
      return start;
    };
    mark('warmup');
    obs.start();

    // Warm-up: the rate windows fill and the new server settles; it ends once the copilot has said
    // happy three observations in a row (each a new cycle), or at the limit.
    say(`warm-up (at least ${settings.warmupMinS} s)`);
    const warmStart = Date.now();
    for (;;) {
      await sleep(1_000);
      const elapsed = (Date.now() - warmStart) / 1_000;
      const fresh = distinctCycles(obs.observations).slice(-3);
      const settled = fresh.length === 3 && fresh.every((o) => o.health_state === 'happy');
      if (elapsed >= settings.warmupMinS && settled) break;
      if (elapsed >= settings.warmupMaxS) {
        noteOnce(`the baseline never settled to happy within the ${settings.warmupMaxS} s warm-up`);
        break;
      }
    }

    const baselineStart = mark('baseline');
    say(`baseline for ${def.baselineS} s`);
    await sleep(def.baselineS * 1_000);
    if (def.fault === null) return Math.max(obs.now(), baselineStart);

    const fault = def.fault;
    const faultStart = mark('fault');
    say(`fault: ${fault.description}`);
    faultActive = true;
    await fault.inject(ctx());
    await holdUntil(sleep, fault.minHoldS, fault.maxHoldS, () =>
      phaseSatisfied('fault', def.expectations, obs.observations, marks, obs.now()),
    );
    say(`fault held ${Math.round((obs.now() - faultStart) / 1_000)} s; removing it`);

    mark('recovery');
    await fault.remove(ctx());
    faultActive = false;
    let metAt: number | undefined;
    await holdUntil(sleep, 0, def.recoveryMaxS, () => {
      if (metAt === undefined) {
        if (!phaseSatisfied('recovery', def.expectations, obs.observations, marks, obs.now()))
          return false;
        metAt = Date.now();
      }
      return Date.now() - metAt >= def.settleS * 1_000;
    });
    const end = obs.now();
    if (def.checksLostWorkflows === true && load !== undefined) {
      parts.lostCheck = await checkNoLostWorkflows(client.client, load, idPrefix, say);
      say(`${parts.lostCheck.id}: ${parts.lostCheck.detail}`);
    }
    return end;
  } finally {
    if (faultActive && def.fault !== null) {
      // A run that failed mid-fault still leaves nothing paused or half-broken behind.
      await def.fault.remove(ctx()).catch(() => undefined);
    }
    await observer?.stop();
    await load?.stop();
    await workers.stop().catch((err: unknown) => notes.push(`workers: ${errorMessage(err)}`));
    workerMetrics.unregister();
    // The client connection is left open on purpose: closing it while the SDK still has a call
    // waiting to be retried (its backoff timer) makes that timer throw "Channel has been shut
    // down" where nobody can catch it. One scenario runs per process, and its end closes it.
  }
}

/** Observations that each show a new copilot cycle (a new `observed_at`), in order. */
function distinctCycles(observations: readonly Observation[]): Observation[] {
  const out: Observation[] = [];
  for (const o of observations) {
    if (o.health_state === null) continue;
    const last = out.at(-1);
    if (last === undefined || o.observed_at !== last.observed_at) out.push(o);
  }
  return out;
}

/** Waits at least `minS`, then until `done()` or `maxS`. */
async function holdUntil(
  sleep: (ms: number) => Promise<void>,
  minS: number,
  maxS: number,
  done: () => boolean,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    await sleep(1_000);
    const elapsed = (Date.now() - start) / 1_000;
    if (elapsed >= maxS) return;
    if (elapsed >= minS && done()) return;
  }
}
