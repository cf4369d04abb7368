/**
 * How the bench learns that its workflows closed, without one result long-poll per open workflow
 * (which at saturation meets the server's per-namespace long-poll limit and is refused): one
 * visibility list of the run's workflows closed since a watermark, every `intervalMs`, plus a
 * lookup by id (`WorkflowId IN (...)`) for those the list has not shown for a while, and a final
 * lookup of every workflow still open when the completion deadline passes. The outcome and the
 * close time are the server's own, so a throttled or failed request never turns a completed
 * workflow into a failure: it is asked again, and only a workflow nobody could look up is
 * "outcome unknown".
 */
import type { WorkflowService } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';

import {
  WORKFLOW_ID_IN_MAX,
  workflowIdIn,
  workflowIdStartsWith,
} from '../temporal/visibility-query.js';

import { retryThrottled } from './throttle.js';

/** How the server says a workflow closed. */
export type ClosedStatus =
  'completed' | 'failed' | 'canceled' | 'terminated' | 'continued_as_new' | 'timed_out';

export interface Closed {
  readonly status: ClosedStatus;
  /** The server's close time, epoch ms. */
  readonly closeTimeMs: number;
}

/** The final lookup found the workflow still running. */
export class StillRunningError extends Error {
  constructor(workflowId: string) {
    super(`workflow ${workflowId} was still running at the completion deadline`);
    this.name = 'StillRunningError';
  }
}

/** Neither the list nor a lookup by id could tell how the workflow ended. */
export class OutcomeUnknownError extends Error {
  constructor(workflowId: string, cause?: unknown) {
    super(`the outcome of workflow ${workflowId} could not be read from the server`, { cause });
    this.name = 'OutcomeUnknownError';
  }
}

const S = proto.temporal.api.enums.v1.WorkflowExecutionStatus;
const STATUS: Partial<Record<temporal.api.enums.v1.WorkflowExecutionStatus, ClosedStatus>> = {
  [S.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'completed',
  [S.WORKFLOW_EXECUTION_STATUS_FAILED]: 'failed',
  [S.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'canceled',
  [S.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'terminated',
  [S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'continued_as_new',
  [S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'timed_out',
};

interface Watch {
  readonly resolve: (closed: Closed) => void;
  readonly reject: (err: unknown) => void;
  /** Wall time it was accepted; lookups by id start some time after. */
  readonly acceptedAtMs: number;
  /** When it is next looked up by id; the wait doubles with its age, so a backlog costs little. */
  lookUpAtMs: number;
}

export interface CompletionTrackerOptions {
  readonly service: WorkflowService;
  readonly namespace: string;
  /** Every tracked workflow id starts with this (the run's and iteration's own prefix). */
  readonly idPrefix: string;
  /**
   * Between two lists. Latency does not depend on it (the close time is the server's); a shorter
   * interval only ends the drain sooner, and costs the same rows decoded again (the overlap).
   */
  readonly intervalMs?: number;
  /**
   * The list asks for workflows closed since the latest close time seen minus this, because
   * visibility records do not always appear in close-time order.
   */
  readonly overlapMs?: number;
  /**
   * A workflow open this long (and unseen) is looked up by id, a batch per list; then again when
   * its age has doubled.
   */
  readonly lookupAfterMs?: number;
  readonly lookupBatch?: number;
  /** Wall clock, epoch ms (tests pass their own). */
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

export class CompletionTracker {
  readonly #o: Required<Omit<CompletionTrackerOptions, 'onError'>> &
    Pick<CompletionTrackerOptions, 'onError'>;
  readonly #open = new Map<string, Watch>();
  #watermarkMs: number;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  /** Requests made, for the results (what the tracking cost the server). */
  requests = 0;

  constructor(options: CompletionTrackerOptions) {
    this.#o = {
      intervalMs: 1_000,
      overlapMs: 2_000,
      lookupAfterMs: 10_000,
      lookupBatch: WORKFLOW_ID_IN_MAX,
      now: Date.now,
      ...options,
    };
    this.#watermarkMs = this.#o.now() - this.#o.overlapMs;
  }

  /** Resolves when the server says `workflowId` closed. */
  wait(workflowId: string): Promise<Closed> {
    return new Promise<Closed>((resolve, reject) => {
      const now = this.#o.now();
      this.#open.set(workflowId, {
        resolve,
        reject,
        acceptedAtMs: now,
        lookUpAtMs: now + this.#o.lookupAfterMs,
      });
      this.#schedule();
    });
  }

  get openCount(): number {
    return this.#open.size;
  }

  /**
   * The completion deadline passed: looks up every workflow still open. A closed one resolves
   * with its outcome, a running one rejects with StillRunningError, and one that could not be
   * looked up rejects with OutcomeUnknownError.
   */
  async finalCheck(): Promise<void> {
    await this.#polling;
    const ids = [...this.#open.keys()];
    for (let i = 0; i < ids.length; i += this.#o.lookupBatch) {
      const batch = ids.slice(i, i + this.#o.lookupBatch);
      try {
        await retryThrottled(() => this.#lookup(batch), { attempts: 8 });
      } catch (err) {
        for (const id of batch) this.#settle(id, undefined, new OutcomeUnknownError(id, err));
        continue;
      }
      for (const id of batch) this.#settle(id, undefined, new StillRunningError(id));
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined || this.#polling !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        if (this.#open.size > 0) this.#schedule();
      });
    }, this.#o.intervalMs);
    // Waiting for the next list never keeps a finished process alive.
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    try {
      await this.#list();
      const now = this.#o.now();
      const stale = [...this.#open.entries()]
        .filter(([, w]) => w.lookUpAtMs <= now)
        .slice(0, this.#o.lookupBatch)
        .map(([id]) => id);
      if (stale.length > 0) await this.#lookup(stale);
    } catch (err) {
      // Throttled or failed: nothing is classified from a failed request; the next poll asks again.
      this.#o.onError?.(err);
    }
  }

  /** The run's workflows closed since the watermark (less the overlap). */
  async #list(): Promise<void> {
    const since = new Date(this.#watermarkMs - this.#o.overlapMs).toISOString();
    await this.#query(
      `${workflowIdStartsWith(this.#o.idPrefix)} AND ExecutionStatus != "Running" ` +
        `AND CloseTime >= "${since}"`,
      true,
    );
  }

  /** Looks `ids` up; those the server reports closed are settled. */
  async #lookup(ids: readonly string[]): Promise<void> {
    const now = this.#o.now();
    for (const id of ids) {
      const w = this.#open.get(id);
      if (w !== undefined) w.lookUpAtMs = now + (now - w.acceptedAtMs);
    }
    await this.#query(`${workflowIdIn(ids)} AND ExecutionStatus != "Running"`, false);
  }

  async #query(query: string, advanceWatermark: boolean): Promise<void> {
    let nextPageToken: Uint8Array | undefined;
    do {
      this.requests += 1;
      const page = await this.#o.service.listWorkflowExecutions({
        namespace: this.#o.namespace,
        query,
        pageSize: 1_000,
        ...(nextPageToken === undefined ? {} : { nextPageToken }),
      });
      for (const info of page.executions ?? []) {
        const id = info.execution?.workflowId;
        const status =
          info.status === null || info.status === undefined ? undefined : STATUS[info.status];
        if (id === undefined || id === null || status === undefined) continue;
        const closeTimeMs = tsToMs(info.closeTime);
        if (advanceWatermark && closeTimeMs > this.#watermarkMs) this.#watermarkMs = closeTimeMs;
        this.#settle(id, { status, closeTimeMs });
      }
      nextPageToken =
        page.nextPageToken !== null &&
        page.nextPageToken !== undefined &&
        page.nextPageToken.length > 0
          ? page.nextPageToken
          : undefined;
    } while (nextPageToken !== undefined);
  }

  #settle(id: string, closed: Closed | undefined, err?: unknown): void {
    const w = this.#open.get(id);
    if (w === undefined) return;
    this.#open.delete(id);
    if (closed !== undefined) w.resolve(closed);
    else w.reject(err);
  }
}
