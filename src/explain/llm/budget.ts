/**
 * How many model calls one process may make per hour. A sliding window (not a fixed clock hour) so
 * a burst at 10:59 and another at 11:00 cannot together spend twice the limit. Flapping clusters
 * trigger an assessment per state change; without a cap a flapping cluster is a bill.
 */

export const HOUR_MS = 3_600_000;

export interface CallBudget {
  /** Takes one call from the budget; false (and nothing taken) when the window is full. */
  tryTake(): boolean;
  /** Calls still allowed in the window ending now. */
  remaining(): number;
  readonly maxCallsPerHour: number;
}

export interface CallBudgetOptions {
  readonly maxCallsPerHour: number;
  /** Milliseconds since the epoch; injected so tests can move time. Default Date.now. */
  readonly now?: () => number;
  /** Window length; an hour unless a test says otherwise. */
  readonly windowMs?: number;
}

/**
 * One budget per process: create it once next to the code that calls `explainWithLlm` and pass the
 * same object to every call. Two budgets would each allow the full rate.
 */
export function createCallBudget(options: CallBudgetOptions): CallBudget {
  const max = Math.max(0, Math.floor(options.maxCallsPerHour));
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? HOUR_MS;
  // Oldest first; never longer than `max`, so memory is bounded by the limit, not by traffic.
  const taken: number[] = [];
  const expire = (at: number): void => {
    while (taken.length > 0 && at - (taken[0] ?? at) >= windowMs) taken.shift();
  };
  return {
    maxCallsPerHour: max,
    tryTake(): boolean {
      const at = now();
      expire(at);
      if (taken.length >= max) return false;
      taken.push(at);
      return true;
    },
    remaining(): number {
      expire(now());
      return max - taken.length;
    },
  };
}
