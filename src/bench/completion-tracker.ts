/**
 * How the bench learns that its workflows closed, without one result long-poll per open workflow
 * (which at saturation meets the server's per-namespace long-poll limit and is refused): one
 * visibility list of the run's workflows closed since a watermark, every `intervalMs`, plus a
 * lookup by id (`WorkflowId IN (...)`) for those the list has not shown for a while, and a final
 * lookup of every workflow still open when the completion deadline passes. The outcome and the
 * close time are the server's own, so a throttled or failed request never turns a completed
 * workflow into a failure: it is asked again, and only a workflow nobody could look up is
 * "outcome unknown".
 *
 * The watermark is the latest close time the lists have shown, a server time (so the local clock's
 * offset from the server's never matters); each list asks again for an overlap behind it, because
 * visibility records do not always appear in close-time order. The overlap starts small and
 * doubles whenever a workflow surfaces more than half of it behind the watermark (measured on the
 * dev server at 50–90/s: at most 21 ms), up to `lookupAfterMs`, past which lookups by id find what
 * the lists miss anyway. A fixed 2 s overlap decoded each workflow's row about three times.
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
  /**
   * The watermark when it was accepted. A workflow that closed before it was not missed by the
   * lists (they showed it before anyone waited for it), so it says nothing about their order.
   */
  readonly watermarkAtAcceptMs: number;
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
   * visibility records do not always appear in close-time order. Where it starts: it doubles
   * whenever a workflow surfaces more than half of it behind the watermark, up to `lookupAfterMs`.
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
  /** The overlap doubled: a workflow surfaced `lateMs` behind the watermark. */
  readonly onOverlapWidened?: (overlapMs: number, lateMs: number) => void;
}

export class CompletionTracker {
  readonly #o: Required<Omit<CompletionTrackerOptions, 'onError' | 'onOverlapWidened'>> &
    Pick<CompletionTrackerOptions, 'onError' | 'onOverlapWidened'>;
  readonly #open = new Map<string, Watch>();
  /** The latest close time the lists have shown; none yet: the list has no lower bound. */
  #watermarkMs = Number.NEGATIVE_INFINITY;
  #overlapMs: number;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  /** Requests made, for the results (what the tracking cost the server). */
  requests = 0;

  constructor(options: CompletionTrackerOptions) {
    this.#o = {
      intervalMs: 1_000,
      overlapMs: 500,
      lookupAfterMs: 10_000,
      lookupBatch: WORKFLOW_ID_IN_MAX,
      now: Date.now,
      ...options,
    };
    this.#overlapMs = this.#o.overlapMs;
  }

  /** How far behind the watermark the lists ask again now. */
  get overlapMs(): number {
    return this.#overlapMs;
  }

  /** Resolves when the server says `workflowId` closed. */
  wait(workflowId: string): Promise<Closed> {
    return new Promise<Closed>((resolve, reject) => {
      const now = this.#o.now();
      this.#open.set(workflowId, {
        resolve,
        reject,
        acceptedAtMs: now,
        watermarkAtAcceptMs: this.#watermarkMs,
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

  /**
   * The run's workflows closed since the watermark (less the overlap); all of them until a first
   * one has closed (the prefix is the run's own, so that is no more).
   */
  async #list(): Promise<void> {
    const closed = `${workflowIdStartsWith(this.#o.idPrefix)} AND ExecutionStatus != "Running"`;
    const since = this.#watermarkMs - this.#overlapMs;
    await this.#query(
      Number.isFinite(since)
        ? `${closed} AND CloseTime >= "${new Date(since).toISOString()}"`
        : closed,
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
    const watermarkBefore = this.#watermarkMs;
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
        this.#noteOrder(id, closeTimeMs, watermarkBefore);
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

  /**
   * A workflow being waited for since before it closed, shown now although earlier lists had
   * already shown a later close: its record came late. More than half the overlap late (or
   * past it, found by a lookup) doubles the overlap.
   */
  #noteOrder(id: string, closeTimeMs: number, watermarkBefore: number): void {
    const w = this.#open.get(id);
    if (w === undefined || closeTimeMs < w.watermarkAtAcceptMs) return;
    const lateMs = watermarkBefore - closeTimeMs;
    if (lateMs * 2 <= this.#overlapMs || this.#overlapMs >= this.#o.lookupAfterMs) return;
    this.#overlapMs = Math.min(this.#overlapMs * 2, this.#o.lookupAfterMs);
    this.#o.onOverlapWidened?.(this.#overlapMs, lateMs);
  }

  #settle(id: string, closed: Closed | undefined, err?: unknown): void {
    const w = this.#open.get(id);
    if (w === undefined) return;
    this.#open.delete(id);
    if (closed !== undefined) w.resolve(closed);
    else w.reject(err);
  }
}
