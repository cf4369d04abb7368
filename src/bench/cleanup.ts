import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';

import { errorMessage } from '../errors.js';
import { taskQueueIs } from '../temporal/visibility-query.js';

/** What terminating a run's leftovers came to. */
export interface TerminateCounts {
  readonly terminated: number;
  /** Closed on their own between the list and the terminate: not a failure, and not retried. */
  readonly closedMeanwhile: number;
  readonly failed: number;
}

/** How many terminate requests are in flight at once: the server is likely saturated by now. */
const TERMINATE_BATCH = 10;

/**
 * Terminates each workflow by id. A workflow that closed after it was listed (the server says it
 * is already completed) is counted apart, at debug level: after a saturated step there are
 * dozens of them, and each is the run finishing, not a problem to warn about.
 */
export async function terminateEach(
  client: Client,
  ids: readonly string[],
  logger: Logger,
): Promise<TerminateCounts> {
  let terminated = 0;
  let closedMeanwhile = 0;
  let failed = 0;
  for (let i = 0; i < ids.length; i += TERMINATE_BATCH) {
    await Promise.all(
      ids.slice(i, i + TERMINATE_BATCH).map(async (id) => {
        try {
          await client.workflow.getHandle(id).terminate('headway bench cleanup');
          terminated += 1;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            closedMeanwhile += 1;
            logger.debug({ workflowId: id }, 'closed before cleanup reached it');
          } else {
            failed += 1;
            logger.warn({ workflowId: id, err: errorMessage(err) }, 'cannot terminate');
          }
        }
      }),
    );
  }
  return { terminated, closedMeanwhile, failed };
}

/** Terminates what is still running on the run's task queue, in the run's namespace. */
export async function cleanupNamespace(
  client: Client,
  taskQueue: string,
  progress: (message: string) => void,
  logger: Logger,
): Promise<void> {
  try {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({
      query: `ExecutionStatus="Running" AND ${taskQueueIs(taskQueue)}`,
    })) {
      ids.push(wf.workflowId);
    }
    const { terminated, closedMeanwhile, failed } = await terminateEach(client, ids, logger);
    const parts = [
      terminated > 0 ? `terminated ${terminated} workflow(s) still running` : '',
      closedMeanwhile > 0 ? `${closedMeanwhile} closed on their own meanwhile` : '',
      failed > 0 ? `${failed} could not be terminated (see the log)` : '',
    ].filter((part) => part !== '');
    if (parts.length > 0) progress(`cleanup in ${client.options.namespace}: ${parts.join('; ')}`);
  } catch (err) {
    logger.warn({ err: errorMessage(err) }, 'cleanup could not list running workflows');
  }
}
