import { describe, expect, it } from 'vitest';

import { HOUR_MS, createCallBudget } from './budget.js';

describe('createCallBudget', () => {
  it('allows N calls in any hour and frees each one an hour after it was taken', () => {
    let clock = 1_000_000;
    const budget = createCallBudget({ maxCallsPerHour: 2, now: () => clock });
    expect(budget.remaining()).toBe(2);
    expect(budget.tryTake()).toBe(true);
    clock += 10 * 60_000;
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    expect(budget.remaining()).toBe(0);

    // Sliding, not a clock hour: at 59 min 59 s after the first call both are still counted.
    clock += 50 * 60_000 - 1;
    expect(budget.tryTake()).toBe(false);
    clock += 1;
    expect(budget.remaining()).toBe(1);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);

    clock += HOUR_MS;
    expect(budget.remaining()).toBe(2);
  });

  it('a refused call takes nothing', () => {
    let clock = 0;
    const budget = createCallBudget({ maxCallsPerHour: 1, now: () => clock });
    expect(budget.tryTake()).toBe(true);
    for (let i = 1; i <= 10; i++) {
      clock = i * 60_000;
      expect(budget.tryTake()).toBe(false);
    }
    // Had the refusals at 1…10 min counted, the window would still be full an hour after the call.
    clock = HOUR_MS;
    expect(budget.tryTake()).toBe(true);
    expect(budget.remaining()).toBe(0);
  });

  it('a budget of 0 never allows a call', () => {
    const budget = createCallBudget({ maxCallsPerHour: 0 });
    expect(budget.tryTake()).toBe(false);
    expect(budget.remaining()).toBe(0);
  });

  it('takes a window length for tests that need another', () => {
    let clock = 0;
    const budget = createCallBudget({ maxCallsPerHour: 1, now: () => clock, windowMs: 1000 });
    expect(budget.tryTake()).toBe(true);
    clock = 999;
    expect(budget.tryTake()).toBe(false);
    clock = 1000;
    expect(budget.tryTake()).toBe(true);
  });
});
