/**
 * The scenario's load: the benchmark's open-loop generator (starts at their scheduled times,
 * whatever the cluster does) driving `scenarioWorkflow`. Faults that live in the load — failing
 * workflows, starts sent to a queue nobody polls — are settings the driver reads on every start.
 */
import type { Client } from '@temporalio/client';

import { runGenerator, type GeneratorResult, type Outcome } from '../load/generator.js';
import { classifyError } from '../load/classify-error.js';
import { RateSchedule, systemClock, type Clock } from '../load/schedule.js';
import { errorMessage } from '../errors.js';

import type { ScenarioWorkflowInput } from './workflows/index.js';

export interface LoadSpec {
  /** Workflow starts per second. */
  readonly rate: number;
  /** Step activities per workflow. */
  readonly steps: number;
}

export interface LoadCounts {
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  /** Other outcomes (start errors, timeouts, …) by kind. */
  readonly other: Readonly<Record<string, number>>;
}

/** Whether start `k` is among the first `share` of every run of starts, spread evenly. */
export function inShare(k: number, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  // Bresenham: exactly ⌊n·share⌋ of the first n starts, evenly interleaved.
  return Math.floor((k + 1) * share) > Math.floor(k * share);
}

/** A clock whose waits also end when the load is stopped, so the generator returns at once. */
function stoppableClock(stop: AbortSignal): Clock {
  return {
    now: () => systemClock.now(),
    sleep: (ms, signal) =>
      systemClock.sleep(ms, signal === undefined ? stop : AbortSignal.any([signal, stop])),
  };
}

export class LoadStream {
  /** Share of starts (0–1) whose workflow fails on purpose. */
  failShare = 0;
  /** Share of starts (0–1) sent to `unpolledQueue` instead of the workers' queue. */
  misrouteShare = 0;

  readonly #client: Client;
  readonly #spec: LoadSpec;
  readonly #taskQueue: string;
  readonly #unpolledQueue: string;
  readonly #idPrefix: string;
  readonly #maxDurationMs: number;
  readonly #onError: (message: string) => void;
  readonly #abort = new AbortController();
  #run: Promise<GeneratorResult | undefined> | undefined;
  #started = 0;
  /** Ids of the workflows whose start the server accepted: what "no lost workflow" is asked of. */
  readonly #accepted = new Set<string>();
  #finished = new Map<Outcome, number>();
  #errorsLogged = 0;

  constructor(
    client: Client,
    spec: LoadSpec,
    options: {
      readonly taskQueue: string;
      readonly unpolledQueue: string;
      readonly idPrefix: string;
      /** The longest the load may run; the schedule ends there. */
      readonly maxDurationMs: number;
      readonly onError: (message: string) => void;
    },
  ) {
    this.#client = client;
    this.#spec = spec;
    this.#taskQueue = options.taskQueue;
    this.#unpolledQueue = options.unpolledQueue;
    this.#idPrefix = options.idPrefix;
    this.#maxDurationMs = options.maxDurationMs;
    this.#onError = options.onError;
  }

  start(): void {
    if (this.#run !== undefined) return;
    const schedule = new RateSchedule({
      targetRate: this.#spec.rate,
      durationMs: this.#maxDurationMs,
      rampUpMs: 5_000,
    });
    this.#run = runGenerator({
      schedule,
      clock: stoppableClock(this.#abort.signal),
      signal: this.#abort.signal,
      completionTimeoutMs: 1_000,
      driver: {
        start: async (k) => {
          const input: ScenarioWorkflowInput = {
            steps: this.#spec.steps,
            fail: inShare(k, this.failShare),
          };
          // Every call is cancelled when the load stops: a call still being retried when the
          // connection closes would otherwise throw from a gRPC timer and take the process down.
          const handle = await this.#client.withAbortSignal(this.#abort.signal, () =>
            this.#client.workflow.start('scenarioWorkflow', {
              taskQueue: inShare(k, this.misrouteShare) ? this.#unpolledQueue : this.#taskQueue,
              workflowId: `${this.#idPrefix}-${k}`,
              args: [input],
            }),
          );
          this.#accepted.add(handle.workflowId);
          return {
            result: () => this.#client.withAbortSignal(this.#abort.signal, () => handle.result()),
          };
        },
        classify: classifyError,
      },
      events: {
        onStarted: () => {
          this.#started += 1;
        },
        onFinished: (outcome) => {
          this.#finished.set(outcome, (this.#finished.get(outcome) ?? 0) + 1);
        },
        onError: (outcome, err) => {
          // Failures are the point of some faults; only the unexpected kinds are worth a line.
          if (outcome === 'failed' || this.#abort.signal.aborted) return;
          this.#errorsLogged += 1;
          if (this.#errorsLogged <= 3) this.#onError(`load: ${outcome}: ${errorMessage(err)}`);
        },
      },
    }).catch((err: unknown) => {
      this.#onError(`load generator failed: ${errorMessage(err)}`);
      return undefined;
    });
  }

  /** The workflow ids whose start the server accepted. */
  acceptedIds(): ReadonlySet<string> {
    return this.#accepted;
  }

  counts(): LoadCounts {
    const other: Record<string, number> = {};
    for (const [outcome, n] of this.#finished) {
      if (outcome !== 'completed' && outcome !== 'failed') other[outcome] = n;
    }
    return {
      started: this.#started,
      completed: this.#finished.get('completed') ?? 0,
      failed: this.#finished.get('failed') ?? 0,
      other,
    };
  }

  /**
   * Stops starting workflows and stops waiting for the ones in flight (they are counted as
   * completion timeouts). Bounded: a start stuck on a dead server does not hold the run.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#abort.abort();
    const run = this.#run;
    if (run === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      run,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
