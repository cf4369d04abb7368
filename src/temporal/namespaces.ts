import type { Connection } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { GRPC, grpcCause } from './grpc.js';

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
 * Makes sure the namespace exists and answers: registers it when missing (retention 1 day), then
 * polls Describe until it succeeds. Polled, not slept: the wait is exactly as long as needed.
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
      if ((err as { code?: unknown }).code === GRPC.NOT_FOUND) return false;
      throw err;
    }
  };
  if (await describe()) return 'existing';
  progress(`registering namespace ${namespace}`);
  try {
    await service.registerNamespace({
      namespace,
      description: options.description,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (err) {
    // Someone else registered it in the meantime: fine, it exists.
    if (!/already exists|already registered/i.test(errorMessage(err))) {
      throw new HeadwayError(
        ErrorCode.TemporalRequestFailed,
        `cannot register namespace ${namespace}`,
        { cause: err, details: [errorMessage(err)] },
      );
    }
  }
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
      if ((err as { code?: unknown }).code === GRPC.NOT_FOUND) return false;
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
