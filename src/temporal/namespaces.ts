import type { Connection } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { GRPC, grpcCause, grpcCode } from './grpc.js';

/** Whether the namespace exists; server errors other than NOT_FOUND count as "yes". */
export async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (err) {
    if (err instanceof NamespaceNotFoundError) return false;
    return grpcCause(err)?.code !== GRPC.NOT_FOUND;
  }
}

export interface EnsureNamespaceOptions {
  /** The description a registered namespace gets. */
  readonly description: string;
  /** A task queue name to describe when checking the namespace is served. */
  readonly readinessTaskQueue: string;
  readonly timeoutMs?: number;
}

/**
 * Makes sure the namespace exists and answers: registers it (retention 1 day) unless it exists,
 * then polls until it is served. Polled, not slept: the wait is exactly as long as needed.
 *
 * Registers first instead of asking first: the server remembers a "not found" for about a second,
 * and a namespace asked about before it existed is not served until it forgets (measured on the
 * dev server: served 0.9–1.0 s after registering when asked about first, 5 ms when not). Where
 * registering is refused (a hosted service's key may not allow it), the namespace only has to
 * exist.
 */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  progress: (message: string) => void,
  options: EnsureNamespaceOptions,
): Promise<'existing' | 'created'> {
  const service = connection.workflowService;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const describe = async (): Promise<boolean> => {
    try {
      await service.describeNamespace({ namespace });
      return true;
    } catch (err) {
      if (grpcCode(err) === GRPC.NOT_FOUND) return false;
      throw err;
    }
  };
  try {
    await service.registerNamespace({
      namespace,
      description: options.description,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (err) {
    if (
      grpcCode(err) === GRPC.ALREADY_EXISTS ||
      /already exists|already registered/i.test(errorMessage(err))
    ) {
      return 'existing';
    }
    if (await describe()) return 'existing';
    throw new HeadwayError(
      ErrorCode.TemporalRequestFailed,
      `cannot register namespace ${namespace}`,
      {
        cause: err,
        details: [errorMessage(err)],
      },
    );
  }
  progress(`registered namespace ${namespace}`);
  // Describe reads the database; the frontend and matching serve a namespace only once their
  // namespace caches know it. A task-queue describe goes through both, so it is the usable check.
  const usable = async (): Promise<boolean> => {
    if (!(await describe())) return false;
    try {
      await service.describeTaskQueue({
        namespace,
        taskQueue: { name: options.readinessTaskQueue },
        taskQueueType: 1,
      });
      return true;
    } catch (err) {
      if (grpcCode(err) === GRPC.NOT_FOUND) return false;
      throw err;
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; Date.now() < deadline; delay = Math.min(delay * 2, 1_000)) {
    if (await usable()) return 'created';
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new HeadwayError(
    ErrorCode.ReadinessTimeout,
    `namespace ${namespace} was registered but is not usable after ${timeoutMs / 1_000} s`,
  );
}
