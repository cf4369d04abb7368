import { Context } from '@temporalio/activity';

/**
 * What a scenario changes in its activities while they run. Activities run in this process, so a
 * fault is a setting the workers read on every call (activities need not be deterministic).
 */
export class ActivityKnobs {
  /** How long each step activity takes (ms). */
  delayMs = 0;
}

export interface StepInput {
  readonly index: number;
}

/** The scenario activities, reading their behaviour from `knobs` on every call. */
export function createScenarioActivities(knobs: ActivityKnobs) {
  return {
    /** One unit of work: returns after the current delay (at once when the delay is 0). */
    async step(input: StepInput): Promise<number> {
      const ms = knobs.delayMs;
      // Context.sleep ends early when the activity is cancelled (worker shutdown, timeout).
      if (ms > 0) await Context.current().sleep(ms);
      return input.index;
    },
  };
}

export type ScenarioActivities = ReturnType<typeof createScenarioActivities>;
