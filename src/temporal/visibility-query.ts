/**
 * Pieces of visibility list queries, quoted one way everywhere (ids are JSON strings, which the
 * server's query language reads as string literals).
 */

/** Ids per `WorkflowId IN (…)` lookup: a query string the visibility store accepts. */
export const WORKFLOW_ID_IN_MAX = 100;

/** `WorkflowId IN ("a", "b")`: the workflows with these ids (at most WORKFLOW_ID_IN_MAX). */
export function workflowIdIn(ids: readonly string[]): string {
  return `WorkflowId IN (${ids.map((id) => JSON.stringify(id)).join(', ')})`;
}

/** `WorkflowId STARTS_WITH "p"`: the workflows whose id starts with `prefix`. */
export function workflowIdStartsWith(prefix: string): string {
  return `WorkflowId STARTS_WITH ${JSON.stringify(prefix)}`;
}

/** `TaskQueue = "q"`: the workflows on task queue `queue` (quoted as the ids are). */
export function taskQueueIs(queue: string): string {
  return `TaskQueue = ${JSON.stringify(queue)}`;
}
