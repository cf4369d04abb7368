import {
  QueryNotRegisteredError,
  WorkflowFailedError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';

import { errorMessage } from '../../errors.js';
import type { ConnectedClient } from '../../temporal/connection.js';

/** How a closed workflow ended. */
export interface Outcome {
  readonly status: string;
  readonly result?: unknown;
  readonly failure?: { readonly type: string; readonly message: string };
}

export const NO_PROGRESS_QUERY = Symbol('no progress query');

/**
 * The `progress` query, bounded by a short deadline: no worker means no answer, and status must
 * not hang on that. Undefined when there was no answer this time.
 */
export async function queryProgress(
  connected: ConnectedClient,
  handle: WorkflowHandle,
): Promise<unknown> {
  try {
    return await connected.connection.withDeadline(Date.now() + 3_000, () =>
      handle.query<unknown>('progress'),
    );
  } catch (err) {
    if (err instanceof QueryNotRegisteredError) return NO_PROGRESS_QUERY;
    return undefined;
  }
}

export function progressText(progress: unknown): string {
  if (typeof progress === 'object' && progress !== null && 'message' in progress) {
    return String(progress.message);
  }
  return JSON.stringify(progress) ?? '';
}

export async function outcomeOf(
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<Outcome> {
  const status = description.status.name;
  try {
    // The run has closed, so this returns (or throws) at once.
    const result: unknown = await handle.result();
    return { status, result };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      return { status, failure: failureOf(err.cause ?? err) };
    }
    return { status, failure: { type: 'UNKNOWN', message: errorMessage(err) } };
  }
}

function failureOf(err: Error): { type: string; message: string } {
  // The innermost application failure says most (e.g. INVALID_INPUT from a sample).
  let e: unknown = err;
  let best: { type: string; message: string } = { type: err.name, message: err.message };
  for (let depth = 0; depth < 10 && e instanceof Error; depth++) {
    if (e instanceof ApplicationFailure) {
      best = { type: e.type ?? 'Error', message: e.message };
    } else if (e instanceof TemporalFailure && depth === 0) {
      best = { type: e.name, message: e.message };
    }
    e = e.cause;
  }
  return best;
}

export function describeJson(d: WorkflowExecutionDescription, namespace: string) {
  return {
    workflow_id: d.workflowId,
    run_id: d.runId,
    type: d.type,
    namespace,
    status: d.status.name,
    task_queue: d.taskQueue,
    start_time: d.startTime.toISOString(),
    close_time: d.closeTime?.toISOString() ?? null,
    history_length: d.historyLength,
  };
}

export function outcomeJson(outcome: Outcome): Record<string, unknown> {
  return {
    status: outcome.status,
    ...('result' in outcome ? { result: outcome.result ?? null } : {}),
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}

export function outcomeText(outcome: Outcome): string {
  if (outcome.failure !== undefined) return `${outcome.failure.type}: ${outcome.failure.message}`;
  return `result: ${JSON.stringify(outcome.result) ?? 'none'}`;
}

export function now(): string {
  return new Date().toISOString();
}

export function clock(): string {
  return new Date().toISOString().slice(11, 19);
}
