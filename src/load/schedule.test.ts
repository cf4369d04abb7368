import { describe, expect, it } from 'vitest';

import { runGenerator, type StartedHandle, type WorkflowDriver } from './generator.js';
import { FakeClock, RateSchedule } from './schedule.js';

describe('RateSchedule', () => {
  it('ramps linearly from 10% of the target, then holds the target', () => {
    const s = new RateSchedule({ targetRate: 20, durationMs: 60_000, rampUpMs: 10_000 });
    expect(s.initialRate).toBe(2);
    expect(s.rateAt(0)).toBe(2);
    expect(s.rateAt(5_000)).toBe(11);
    expect(s.rateAt(10_000)).toBe(20);
    expect(s.rateAt(59_000)).toBe(20);
    // Ramp: (2 + 20) / 2 × 10 s = 110; then 20/s × 50 s = 1,000.
    expect(s.totalStarts).toBe(1_110);
  });

  it('never starts below 1/s and starts at the target without a ramp', () => {
    expect(
      new RateSchedule({ targetRate: 5, durationMs: 10_000, rampUpMs: 2_000 }).initialRate,
    ).toBe(1);
    const flat = new RateSchedule({ targetRate: 20, durationMs: 60_000, rampUpMs: 0 });
    expect(flat.totalStarts).toBe(1_200);
    expect(flat.intendedStartMs(1)).toBe(50);
    expect(flat.intendedStartMs(1_199)).toBeCloseTo(59_950, 6);
  });

  it('inverts the cumulative count: start k is intended when k starts are due', () => {
    const s = new RateSchedule({ targetRate: 100, durationMs: 30_000, rampUpMs: 7_000 });
    let previous = -1;
    for (let k = 0; k < s.totalStarts; k += 7) {
      const t = s.intendedStartMs(k);
      expect(t).toBeGreaterThan(previous);
      expect(s.cumulativeStarts(t)).toBeCloseTo(k, 6);
      previous = t;
    }
  });

  it('asks for every start due before the end, also when the ramp ends between two starts', () => {
    // Ramp: (1 + 10) / 2 × 2.5 s = 13.75 due, then 10/s × 7.5 s: 88.75 due, starts 0–88.
    const s = new RateSchedule({ targetRate: 10, durationMs: 10_000, rampUpMs: 2_500 });
    expect(s.totalStarts).toBe(89);
    expect(s.intendedStartMs(88)).toBeCloseTo(9_925, 6);
  });

  it('rejects impossible settings', () => {
    expect(() => new RateSchedule({ targetRate: 0, durationMs: 1_000, rampUpMs: 0 })).toThrow();
    expect(() => new RateSchedule({ targetRate: 1, durationMs: 1_000, rampUpMs: 1_000 })).toThrow();
  });
});

/** A driver whose starts and results resolve when the test says so, on the fake clock. */
function fakeDriver(
  clock: FakeClock,
  opts: { startMs: number; runMs: number; fail?: (k: number) => boolean },
) {
  const fired: number[] = [];
  const driver: WorkflowDriver = {
    async start(k): Promise<StartedHandle> {
      fired.push(clock.now());
      await clock.sleep(opts.startMs);
      if (opts.fail?.(k) === true) throw new Error('start refused');
      return { result: () => clock.sleep(opts.runMs) };
    },
    classify: (_err, phase) => (phase === 'start' ? 'start_error' : 'failed'),
  };
  return { driver, fired };
}

async function runToEnd(clock: FakeClock, run: Promise<unknown>, stepMs = 10): Promise<void> {
  let done = false;
  void run.finally(() => (done = true));
  while (!done) await clock.advance(stepMs);
}

describe('runGenerator on a fake clock', () => {
  it('fires starts at their intended times even when starts are slow (open loop)', async () => {
    const clock = new FakeClock();
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 5_000, rampUpMs: 0 });
    // Each start takes 2 s: a closed loop would manage 0.5/s; the open loop keeps 10/s.
    const { driver, fired } = fakeDriver(clock, { startMs: 2_000, runMs: 100 });
    const run = runGenerator({ schedule, clock, driver, completionTimeoutMs: 10_000 });
    await runToEnd(clock, run, 5);
    const result = await run;
    expect(fired).toHaveLength(50);
    fired.forEach((t, k) => expect(t).toBeCloseTo(schedule.intendedStartMs(k), 0));
    expect(result.lateStarts).toBe(0);
    expect(result.outcomes.completed).toBe(50);
    // Latency counts from the intended time: the 2 s start is in it.
    expect(result.startLatency.percentileMs(50)).toBeCloseTo(2_000, -1);
    expect(result.endToEndLatency.percentileMs(99)).toBeCloseTo(2_100, -1);
  });

  it('reports falling behind when the in-flight bound delays starts', async () => {
    const clock = new FakeClock();
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 3_000, rampUpMs: 0 });
    const { driver } = fakeDriver(clock, { startMs: 1_000, runMs: 0 });
    const run = runGenerator({
      schedule,
      clock,
      driver,
      maxInFlightStarts: 2,
      lagToleranceMs: 50,
      completionTimeoutMs: 60_000,
    });
    await runToEnd(clock, run, 10);
    const result = await run;
    expect(result.lateStarts).toBeGreaterThan(0);
    expect(result.maxLagMs).toBeGreaterThan(1_000);
    expect(result.achievedStartRate).toBeLessThan(10);
    expect(result.outcomes.completed).toBe(30);
  });

  it('measures exactly the target start rate when every start is on time', async () => {
    const clock = new FakeClock();
    // The ramp's 13.75 starts end between two starts; the window 2.5–10 s holds 75 of them.
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 10_000, rampUpMs: 2_500 });
    const { driver } = fakeDriver(clock, { startMs: 5, runMs: 100 });
    const run = runGenerator({ schedule, clock, driver, completionTimeoutMs: 30_000 });
    await runToEnd(clock, run, 5);
    const result = await run;
    expect(result.lateStarts).toBe(0);
    expect(result.measured.acceptedStarts).toBe(75);
    expect(result.achievedStartRate).toBe(10);
  });

  it('separates start rate, completion rate in the measured window, and drain time', async () => {
    const clock = new FakeClock();
    const schedule = new RateSchedule({ targetRate: 20, durationMs: 10_000, rampUpMs: 2_000 });
    const { driver } = fakeDriver(clock, { startMs: 5, runMs: 3_000 });
    const run = runGenerator({ schedule, clock, driver, completionTimeoutMs: 30_000 });
    await runToEnd(clock, run, 5);
    const result = await run;
    expect(result.achievedStartRate).toBeCloseTo(20, 0);
    expect(result.measured.seconds).toBe(8);
    // Drain: the last workflow started near 10 s and runs 3 s.
    expect(result.timing.drainMs).toBeGreaterThan(2_900);
    expect(result.timing.drainMs).toBeLessThan(3_100);
    expect(result.outcomes.completed).toBe(schedule.totalStarts);
    expect(result.timeline.length).toBeGreaterThanOrEqual(13);
  });

  it('counts errors by type and gives up on workflows at the completion deadline', async () => {
    const clock = new FakeClock();
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 1_000, rampUpMs: 0 });
    const fired: number[] = [];
    const driver: WorkflowDriver = {
      async start(k) {
        fired.push(k);
        await clock.sleep(1);
        if (k % 5 === 0) throw new Error('refused');
        if (k % 5 === 1) return { result: () => Promise.reject(new Error('boom')) };
        // Never completes: must become a completion timeout.
        if (k % 5 === 2) return { result: () => new Promise(() => undefined) };
        return { result: () => clock.sleep(10) };
      },
      classify: (_e, phase) => (phase === 'start' ? 'start_error' : 'failed'),
    };
    const run = runGenerator({ schedule, clock, driver, completionTimeoutMs: 2_000 });
    await runToEnd(clock, run, 50);
    const result = await run;
    expect(result.outcomes).toMatchObject({
      completed: 4,
      start_error: 2,
      failed: 2,
      completion_timeout: 2,
    });
    expect(result.acceptedStarts).toBe(8);
  });

  it('stops firing when aborted and still drains what started', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 10_000, rampUpMs: 0 });
    const { driver, fired } = fakeDriver(clock, { startMs: 1, runMs: 100 });
    const run = runGenerator({
      schedule,
      clock,
      driver,
      completionTimeoutMs: 5_000,
      signal: controller.signal,
    });
    await clock.advance(1_000);
    controller.abort();
    await runToEnd(clock, run, 10);
    const result = await run;
    expect(result.aborted).toBe(true);
    expect(fired.length).toBeLessThanOrEqual(12);
    expect(result.outcomes.completed).toBe(fired.length);
  });

  it('asks the driver for the outcome before calling anything a completion timeout', async () => {
    const clock = new FakeClock();
    const schedule = new RateSchedule({ targetRate: 10, durationMs: 1_000, rampUpMs: 0 });
    // Every result waits until the final check settles it: k % 3 = 0 completed (the server
    // says so), 1 still running, 2 unknown (the server could not be asked).
    const waiting = new Map<
      number,
      { resolve: (v: unknown) => void; reject: (e: unknown) => void }
    >();
    const driver: WorkflowDriver = {
      start(k) {
        const result = new Promise<unknown>((resolve, reject) =>
          waiting.set(k, { resolve, reject }),
        );
        return Promise.resolve({ result: () => result });
      },
      classify: (err) => (err === 'unknown' ? 'outcome_unknown' : 'completion_timeout'),
      finalCheck() {
        for (const [k, w] of waiting) {
          if (k % 3 === 0) w.resolve({ closedAtEpochMs: Date.now() });
          else w.reject(k % 3 === 1 ? 'running' : 'unknown');
        }
        return Promise.resolve();
      },
    };
    const run = runGenerator({ schedule, clock, driver, completionTimeoutMs: 1_000 });
    await runToEnd(clock, run, 50);
    const result = await run;
    expect(result.outcomes).toMatchObject({
      completed: 4,
      completion_timeout: 3,
      outcome_unknown: 3,
    });
  });
});
