/**
 * The open-loop rate schedule: a linear ramp from an initial rate to the target, then the target
 * rate until the end. Intended start times come from inverting the cumulative count of starts, so
 * the k-th workflow has one exact intended time that does not depend on when earlier starts returned.
 */

export interface RateScheduleOptions {
  /** Target rate in workflows per second. */
  readonly targetRate: number;
  /** Whole generation window, ramp-up included (ms). */
  readonly durationMs: number;
  /** Length of the linear ramp at the start of the window (ms); 0 starts at the target rate. */
  readonly rampUpMs: number;
}

export class RateSchedule {
  readonly targetRate: number;
  readonly durationMs: number;
  readonly rampUpMs: number;
  /** The rate the ramp starts from: 10% of the target, at least 1/s (as the reference runner). */
  readonly initialRate: number;
  /** Starts the schedule asks for over the whole window. */
  readonly totalStarts: number;

  constructor(options: RateScheduleOptions) {
    const { targetRate, durationMs, rampUpMs } = options;
    if (!(targetRate > 0)) throw new RangeError(`the rate must be positive, got ${targetRate}`);
    if (!(durationMs > 0)) throw new RangeError(`the duration must be positive, got ${durationMs}`);
    if (!(rampUpMs >= 0 && rampUpMs < durationMs)) {
      throw new RangeError('the ramp-up must be at least 0 and shorter than the duration');
    }
    this.targetRate = targetRate;
    this.durationMs = durationMs;
    this.rampUpMs = rampUpMs;
    this.initialRate =
      rampUpMs === 0 ? targetRate : Math.min(targetRate, Math.max(0.1 * targetRate, 1));
    // Start k is due when k starts are due (start 0 at 0), so the window [0, duration) holds every
    // k below the cumulative count: 88.75 due means starts 0–88. (Rounding down dropped the last
    // one whenever the ramp ended between two starts, and the measured window then reported one
    // start fewer than the target: 98.7% at 10/s for 10 s.) A tiny epsilon absorbs float error,
    // so 20/s for 60 s is 1,200 starts and not 1,201.
    this.totalStarts = Math.ceil(this.cumulativeStarts(durationMs) - 1e-9);
  }

  /** Intended rate (workflows/s) at `elapsedMs` into the window; monotonic non-decreasing. */
  rateAt(elapsedMs: number): number {
    if (elapsedMs <= 0) return this.initialRate;
    if (elapsedMs >= this.rampUpMs) return this.targetRate;
    return this.initialRate + ((this.targetRate - this.initialRate) * elapsedMs) / this.rampUpMs;
  }

  /** Starts due by `elapsedMs` (the integral of the rate). */
  cumulativeStarts(elapsedMs: number): number {
    const t = Math.min(Math.max(elapsedMs, 0), this.durationMs) / 1_000;
    const ramp = this.rampUpMs / 1_000;
    const r0 = this.initialRate;
    const r1 = this.targetRate;
    if (t <= ramp) return r0 * t + ((r1 - r0) * t * t) / (2 * ramp);
    const rampStarts = ((r0 + r1) * ramp) / 2;
    return rampStarts + r1 * (t - ramp);
  }

  /**
   * Intended start time (ms into the window) of the start with index `k` (0-based): the moment the
   * cumulative count reaches k. Start 0 is at 0.
   */
  intendedStartMs(k: number): number {
    if (k <= 0) return 0;
    const ramp = this.rampUpMs / 1_000;
    const r0 = this.initialRate;
    const r1 = this.targetRate;
    const rampStarts = ((r0 + r1) * ramp) / 2;
    if (k <= rampStarts && ramp > 0) {
      // Solve r0·t + a·t²/2 = k for t, with a = (r1 − r0)/ramp.
      const a = (r1 - r0) / ramp;
      if (a === 0) return (k / r0) * 1_000;
      const t = (-r0 + Math.sqrt(r0 * r0 + 2 * a * k)) / a;
      return t * 1_000;
    }
    return (ramp + (k - rampStarts) / r1) * 1_000;
  }
}

/** A monotonic clock (ms) with a way to wait; injectable so tests can run the generator on fake time. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock that advances only when told to. `sleep` resolves once `advance` moves time past its
 * deadline, in deadline order, so a generator under test sees exactly the times it asked for.
 */
export class FakeClock implements Clock {
  #now = 0;
  #sleepers: { until: number; resolve: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const sleeper = { until: this.#now + Math.max(0, ms), resolve };
      this.#sleepers.push(sleeper);
      this.#sleepers.sort((a, b) => a.until - b.until);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by `ms`, waking sleepers whose deadline passed (awaiting between each). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#sleepers[0];
      if (next === undefined || next.until > target) break;
      this.#sleepers.shift();
      this.#now = Math.max(this.#now, next.until);
      next.resolve();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Whether anything is waiting on the clock. */
  get pending(): number {
    return this.#sleepers.length;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
