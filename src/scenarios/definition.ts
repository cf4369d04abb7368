import type { WorkerPool } from '../temporal/worker-pool.js';

import type { ActivityKnobs } from './activities.js';
import type { LoadSpec, LoadStream } from './load-stream.js';
import type { ScenarioStack } from './stack.js';
import type { Expectation } from './types.js';

/** What a fault can act on: the scenario's own stack, workers, load and activities. */
export interface FaultContext {
  readonly stack: ScenarioStack;
  readonly workers: WorkerPool;
  readonly load: LoadStream | undefined;
  readonly knobs: ActivityKnobs;
  /**
   * The workers' SDK metrics endpoint as a Prometheus target. A stopped worker process exports
   * nothing, so a worker outage takes the target away with the workers.
   */
  readonly workerMetrics: { readonly register: () => void; readonly unregister: () => void };
  readonly progress: (message: string) => void;
}

export interface FaultSpec {
  /** What is done, for the report. */
  readonly description: string;
  readonly inject: (ctx: FaultContext) => Promise<void>;
  readonly remove: (ctx: FaultContext) => Promise<void>;
  /** The fault is held at least this long, even when every expectation is already met. */
  readonly minHoldS: number;
  /** …and at most this long. */
  readonly maxHoldS: number;
}

export interface ScenarioDefinition {
  /** kebab-case; `headway scenario run NAME`. */
  readonly name: string;
  /** Needs the cluster profile (services on PostgreSQL); others run on either profile. */
  readonly profile?: 'cluster';
  /** The condition the scenario creates. */
  readonly summary: string;
  /** What a pass shows about the copilot's judgement. */
  readonly proves: string;
  /** The expected trajectory in a few words, for the report's table. */
  readonly expected: string;
  /** null: no load at all. */
  readonly load: LoadSpec | null;
  readonly workers: {
    readonly count: number;
    readonly workflowSlots: number;
    readonly activitySlots: number;
  };
  /** Seconds of judged baseline after the warm-up. */
  readonly baselineS: number;
  /** null: the scenario is its baseline (no fault, no recovery phase). */
  readonly fault: FaultSpec | null;
  /** The recovery phase ends this long after the fault is removed at the latest… */
  readonly recoveryMaxS: number;
  /** …or this long after every recovery expectation is met. */
  readonly settleS: number;
  readonly expectations: readonly Expectation[];
  /** After recovery, ask the server that every accepted start completed (`no-lost-workflow`). */
  readonly checksLostWorkflows?: boolean;
}
