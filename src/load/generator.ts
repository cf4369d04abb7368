/**
 * The open-loop load generator. A start is fired at its intended time from the rate schedule
 * whether or not earlier starts have returned; latencies are measured from that intended time, so
 * a slow server shows up as latency instead of silently lowering the offered load (no coordinated
 * omission). Only the number of starts in flight is bounded; when that bound or the event loop
 * delays a start past the tolerance, the generator reports that it fell behind.
 */
import { LatencyHistogram } from './histogram.js';
import type { Clock, RateSchedule } from './schedule.js';

/** How one workflow of the run ended. Only `completed` is a success. */
export const OUTCOMES = [
  'completed',
  'start_error',
  'failed',
  'timed_out',
  'terminated',
  'canceled',
  'client_shutdown',
  'result_error',
  'completion_timeout',
  // Started, but neither waiting for it nor asking the server afterwards told how it ended.
  'outcome_unknown',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface StartedHandle {
  /**
   * Resolves when the workflow completes; rejects with the reason it did not. When it resolves
   * with a ServerCompletion, the server's close time is the completion time (not the moment the
   * driver learnt of it).
   */
  readonly result: () => Promise<unknown>;
}

/** When the server closed the workflow, as the server recorded it. */
export interface ServerCompletion {
  readonly closedAtEpochMs: number;
}

function isServerCompletion(value: unknown): value is ServerCompletion {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { closedAtEpochMs?: unknown }).closedAtEpochMs === 'number'
  );
}

/** What the generator drives: Temporal in production, a fake in tests. */
export interface WorkflowDriver {
  start(index: number): Promise<StartedHandle>;
  /** Maps an error from `start` or `result` to an outcome other than `completed`. */
  classify(err: unknown, phase: 'start' | 'result'): Exclude<Outcome, 'completed'>;
  /**
   * Called once when the completion deadline passes with workflows still open: the driver asks
   * the server how they ended and settles their `result` promises before they are classified.
   */
  finalCheck?(): Promise<void>;
}

export interface GeneratorEvents {
  onStarted?(startLatencyMs: number): void;
  onFinished?(outcome: Outcome, endToEndMs: number): void;
  onError?(outcome: Outcome, err: unknown): void;
}

export interface GeneratorOptions {
  readonly schedule: RateSchedule;
  readonly clock: Clock;
  readonly driver: WorkflowDriver;
  /** Starts allowed in flight (sent, not yet accepted) at once. */
  readonly maxInFlightStarts?: number;
  /** A start fired later than this after its intended time counts as late. */
  readonly lagToleranceMs?: number;
  /** How long after the generation window ends workflows may still complete. */
  readonly completionTimeoutMs: number;
  readonly events?: GeneratorEvents;
  /** Stops firing new starts (Ctrl-C); what was started is still drained. */
  readonly signal?: AbortSignal;
}

export interface TimelineSecond {
  /** Seconds since the start of the window. */
  readonly second: number;
  readonly intended: number;
  readonly started: number;
  readonly completed: number;
  readonly errors: number;
  /** End-to-end latency of the workflows that completed in this second (ms). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface GeneratorResult {
  readonly intendedStarts: number;
  readonly attemptedStarts: number;
  readonly acceptedStarts: number;
  readonly outcomes: Record<Outcome, number>;
  /** Intended start → server accepted the start. */
  readonly startLatency: LatencyHistogram;
  /** Intended start → result received, completed workflows only. */
  readonly endToEndLatency: LatencyHistogram;
  /** Actual fire time − intended time. */
  readonly scheduleLag: LatencyHistogram;
  readonly lateStarts: number;
  readonly lagToleranceMs: number;
  readonly maxLagMs: number;
  readonly aborted: boolean;
  readonly timing: {
    readonly rampUpMs: number;
    readonly durationMs: number;
    /** When the last start was fired (ms since the window opened). */
    readonly lastFireMs: number;
    /** From the end of the generation window until the last workflow finished or was given up on. */
    readonly drainMs: number;
  };
  /** Accepted starts per second within the measured window (after ramp-up, before the drain). */
  readonly achievedStartRate: number;
  /** Accepted starts per second over the whole generation window, ramp-up included. */
  readonly overallStartRate: number;
  /** Completions per second within the measured window. */
  readonly completionRate: number;
  /** The raw counts behind the rates, so iterations aggregate by summing. */
  readonly measured: {
    readonly seconds: number;
    readonly acceptedStarts: number;
    readonly completions: number;
  };
  readonly timeline: readonly TimelineSecond[];
}

interface SecondBucket {
  intended: number;
  started: number;
  completed: number;
  errors: number;
  latency: LatencyHistogram;
}

export async function runGenerator(options: GeneratorOptions): Promise<GeneratorResult> {
  const { schedule, clock, driver, events = {} } = options;
  const maxInFlight = options.maxInFlightStarts ?? 1_000;
  const tolerance = options.lagToleranceMs ?? 100;
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const startLatency = new LatencyHistogram();
  const endToEndLatency = new LatencyHistogram();
  const scheduleLag = new LatencyHistogram();
  const seconds: SecondBucket[] = [];
  const bucket = (elapsedMs: number): SecondBucket => {
    const i = Math.max(0, Math.floor(elapsedMs / 1_000));
    for (let j = seconds.length; j <= i; j++) {
      seconds.push({
        intended: 0,
        started: 0,
        completed: 0,
        errors: 0,
        latency: new LatencyHistogram(),
      });
    }
    return seconds[i]!;
  };

  const windowStart = schedule.rampUpMs;
  const windowEnd = schedule.durationMs;
  let inFlight = 0;
  let attempted = 0;
  let accepted = 0;
  let acceptedInWindow = 0;
  let completedInWindow = 0;
  let late = 0;
  let maxLag = 0;
  let lastFire = 0;
  let lastFinish = 0;
  let slotWaiters: (() => void)[] = [];
  const open = new Map<number, { intendedAt: number }>();
  const settled = new Set<number>();
  const pending = new Set<Promise<void>>();
  let onDrained: (() => void) | undefined;
  const origin = clock.now();
  const originEpochMs = Date.now();

  const finish = (
    k: number,
    outcome: Outcome,
    intendedAt: number,
    err?: unknown,
    closedAtEpochMs?: number,
  ): void => {
    if (settled.has(k)) return;
    settled.add(k);
    open.delete(k);
    // The server's close time when the driver has it, mapped onto the generator's clock.
    const now =
      closedAtEpochMs === undefined
        ? clock.now()
        : Math.max(intendedAt, origin + (closedAtEpochMs - originEpochMs));
    const elapsed = now - origin;
    lastFinish = Math.max(lastFinish, elapsed);
    outcomes[outcome] += 1;
    const e2e = now - intendedAt;
    const b = bucket(elapsed);
    if (outcome === 'completed') {
      endToEndLatency.recordMs(e2e);
      b.completed += 1;
      b.latency.recordMs(e2e);
      if (elapsed >= windowStart && elapsed <= windowEnd) completedInWindow += 1;
    } else {
      b.errors += 1;
      events.onError?.(outcome, err);
    }
    events.onFinished?.(outcome, e2e);
  };

  const releaseSlot = (): void => {
    inFlight -= 1;
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const w of waiters) w();
  };

  const fire = (k: number, intendedAt: number): void => {
    inFlight += 1;
    attempted += 1;
    open.set(k, { intendedAt });
    const run = (async () => {
      let handle: StartedHandle;
      try {
        handle = await driver.start(k);
      } catch (err) {
        releaseSlot();
        finish(k, driver.classify(err, 'start'), intendedAt, err);
        return;
      }
      releaseSlot();
      const now = clock.now();
      accepted += 1;
      const elapsed = now - origin;
      bucket(elapsed).started += 1;
      if (elapsed >= windowStart && elapsed <= windowEnd) acceptedInWindow += 1;
      startLatency.recordMs(now - intendedAt);
      events.onStarted?.(now - intendedAt);
      try {
        const completion = await handle.result();
        finish(
          k,
          'completed',
          intendedAt,
          undefined,
          isServerCompletion(completion) ? completion.closedAtEpochMs : undefined,
        );
      } catch (err) {
        finish(k, driver.classify(err, 'result'), intendedAt, err);
      }
    })();
    pending.add(run);
    void run.finally(() => {
      pending.delete(run);
      if (pending.size === 0) onDrained?.();
    });
  };

  let aborted = false;
  for (let k = 0; k < schedule.totalStarts; k++) {
    if (options.signal?.aborted === true) {
      aborted = true;
      break;
    }
    const intendedAt = origin + schedule.intendedStartMs(k);
    bucket(intendedAt - origin).intended += 1;
    const wait = intendedAt - clock.now();
    if (wait > 0) await clock.sleep(wait);
    while (inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => slotWaiters.push(resolve));
    }
    const firedAt = clock.now();
    const lag = firedAt - intendedAt;
    scheduleLag.recordMs(lag);
    maxLag = Math.max(maxLag, lag);
    if (lag > tolerance) late += 1;
    lastFire = firedAt - origin;
    fire(k, intendedAt);
  }

  // Drain: whatever is still open when the deadline passes is a completion timeout, not a success.
  const generationEnd = Math.max(windowEnd, lastFire);
  const deadline = origin + generationEnd + options.completionTimeoutMs;
  const drained =
    pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onDrained = resolve));
  const remaining = deadline - clock.now();
  if (remaining > 0) {
    // The timer is cancelled once drained, so a finished run does not wait out the timeout.
    const stopTimer = new AbortController();
    await Promise.race([drained, clock.sleep(remaining, stopTimer.signal)]);
    stopTimer.abort();
  }
  if (open.size > 0 && driver.finalCheck !== undefined) {
    // Before anything is classified a timeout, the server is asked how it ended.
    await driver.finalCheck();
    // The settled result promises run their `finish` in microtasks, done before a timer fires.
    await Promise.race([drained, clock.sleep(0)]);
  }
  for (const [k, { intendedAt }] of [...open]) finish(k, 'completion_timeout', intendedAt);

  const measuredSeconds = (windowEnd - windowStart) / 1_000;
  return {
    intendedStarts: schedule.totalStarts,
    attemptedStarts: attempted,
    acceptedStarts: accepted,
    outcomes,
    startLatency,
    endToEndLatency,
    scheduleLag,
    lateStarts: late,
    lagToleranceMs: tolerance,
    maxLagMs: round(maxLag),
    aborted,
    timing: {
      rampUpMs: schedule.rampUpMs,
      durationMs: schedule.durationMs,
      lastFireMs: round(lastFire),
      drainMs: round(Math.max(0, lastFinish - generationEnd)),
    },
    achievedStartRate: round(acceptedInWindow / measuredSeconds),
    overallStartRate: round(accepted / (windowEnd / 1_000)),
    completionRate: round(completedInWindow / measuredSeconds),
    measured: {
      seconds: measuredSeconds,
      acceptedStarts: acceptedInWindow,
      completions: completedInWindow,
    },
    timeline: seconds.map((b, second) => ({
      second,
      intended: b.intended,
      started: b.started,
      completed: b.completed,
      errors: b.errors,
      p50Ms: b.latency.percentileMs(50),
      p99Ms: b.latency.percentileMs(99),
    })),
  };
}

function round(n: number): number {
  return Math.round(n * 1_000) / 1_000;
}
