import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
// The SDK's connection module, not its index: the index loads the whole worker (its sandbox,
// rxjs, the replayer), 0.1 s of CPU at start for commands that only talk to the server.
import { NativeConnection } from '@temporalio/worker/lib/connection.js';

import type { TemporalConnectionConfig } from '../config/temporal.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { redactSecrets } from '../log/redact.js';

import { GRPC, grpcCause, grpcCode } from './grpc.js';
import { namespaceExists } from './namespaces.js';

const UNAVAILABLE_HINT = 'is the server running? `headway up` starts a local one';

export interface ConnectedClient {
  readonly client: Client;
  readonly connection: Connection;
  readonly config: TemporalConnectionConfig;
  readonly close: () => Promise<void>;
}

/**
 * Opens a client connection (pure JS gRPC) and checks the server answers within the connect
 * timeout. An unreachable server is TEMPORAL_UNAVAILABLE after at most `connectTimeoutMs`, never a
 * hang.
 */
export async function connectClient(config: TemporalConnectionConfig): Promise<ConnectedClient> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: config.address,
      ...(config.tls === undefined ? {} : { tls: config.tls }),
      ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
      ...(config.metadata === undefined ? {} : { metadata: { ...config.metadata } }),
      connectTimeout: config.connectTimeoutMs,
    });
  } catch (err) {
    throw unavailable(config, err);
  }
  const client = new Client({ connection, namespace: config.namespace });
  return { client, connection, config, close: () => connection.close() };
}

export interface NativeConnectOptions {
  /** gzip request bodies and accept gzip responses (the SDK's default); false sends them plain. */
  readonly gzip?: boolean;
}

/**
 * Opens the native (Rust core) connection a Worker polls with. The SDK offers no connect timeout
 * here, so one is raced: a down server fails fast instead of retrying for minutes.
 */
export async function connectNative(
  config: TemporalConnectionConfig,
  options: NativeConnectOptions = {},
): Promise<NativeConnection> {
  const pending = NativeConnection.connect({
    ...(options.gzip === false ? { grpcCompression: { codec: 'none' } as const } : {}),
    address: config.address,
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(config.metadata === undefined ? {} : { metadata: { ...config.metadata } }),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${config.connectTimeoutMs} ms`)),
      config.connectTimeoutMs,
    );
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    // A connection that completes after the timeout must not keep the process alive.
    pending.then((c) => c.close()).catch(() => undefined);
    throw unavailable(config, err);
  } finally {
    clearTimeout(timer);
  }
}

/** TEMPORAL_UNAVAILABLE: one line with the address and the cause, then the fix. */
export function unavailable(config: TemporalConnectionConfig, cause: unknown): HeadwayError {
  return new HeadwayError(
    ErrorCode.TemporalUnavailable,
    `cannot reach Temporal at ${config.address} (namespace ${config.namespace}): ` +
      shortCause(redact(errorMessage(cause), config)),
    { cause, hint: UNAVAILABLE_HINT },
  );
}

export function namespaceNotFound(config: TemporalConnectionConfig): HeadwayError {
  return new HeadwayError(
    ErrorCode.NamespaceNotFound,
    `namespace ${config.namespace} not found on ${config.address}`,
    {
      hint:
        'check --namespace / TEMPORAL_NAMESPACE / temporal.namespace; `temporal operator namespace ' +
        'list` shows the namespaces (the local stack creates extra ones from stack.monitored.namespaces)',
    },
  );
}

export function workflowNotFound(
  config: TemporalConnectionConfig,
  workflowId: string,
): HeadwayError {
  return new HeadwayError(
    ErrorCode.WorkflowNotFound,
    `workflow ${workflowId} not found in namespace ${config.namespace}`,
    {
      hint: '`headway workflow list` shows the workflows of this namespace; check the id and --namespace',
    },
  );
}

/** True for errors that mean the server cannot be reached (as opposed to a refused request). */
export function isUnavailableError(err: unknown): boolean {
  const grpc = grpcCause(err);
  if (grpc !== undefined) {
    return grpc.code === GRPC.UNAVAILABLE || grpc.code === GRPC.DEADLINE_EXCEEDED;
  }
  const message = errorMessage(err);
  return /failed to connect|connection refused|ECONNREFUSED|transport error|Unavailable/i.test(
    message,
  );
}

export interface ErrorContext {
  readonly connected: ConnectedClient;
  /** The workflow the failed request was about, if any. */
  readonly workflowId?: string;
}

/**
 * Turns an SDK or gRPC error into a HeadwayError that names the workflow and the namespace. A
 * NOT_FOUND is told apart by asking the server: unknown namespace, unknown workflow, or a workflow
 * that exists but has closed (signal or cancel of a finished workflow).
 */
export async function explainTemporalError(err: unknown, ctx: ErrorContext): Promise<HeadwayError> {
  if (err instanceof HeadwayError) return err;
  const { config } = ctx.connected;
  if (err instanceof NamespaceNotFoundError) return namespaceNotFound(config);
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new HeadwayError(
      ErrorCode.WorkflowAlreadyStarted,
      `workflow ${err.workflowId} is already running in namespace ${config.namespace}`,
      { hint: 'pick another --id, or wait until that run closes' },
    );
  }
  if (isUnavailableError(err)) return unavailable(config, err);

  const notFound = err instanceof WorkflowNotFoundError || grpcCause(err)?.code === GRPC.NOT_FOUND;
  if (notFound) {
    if (!(await namespaceExists(ctx.connected.connection, config.namespace)))
      return namespaceNotFound(config);
    if (ctx.workflowId !== undefined) {
      const status = await workflowStatus(ctx.connected, ctx.workflowId);
      if (status === undefined) return workflowNotFound(config, ctx.workflowId);
      if (status !== 'RUNNING') {
        return new HeadwayError(
          ErrorCode.WorkflowNotRunning,
          `workflow ${ctx.workflowId} in namespace ${config.namespace} is not running (${status})`,
          { hint: '`headway workflow status ID` shows how it closed' },
        );
      }
    }
  }
  return new HeadwayError(
    ErrorCode.TemporalRequestFailed,
    ctx.workflowId === undefined
      ? `Temporal request failed in namespace ${config.namespace}`
      : `request for workflow ${ctx.workflowId} in namespace ${config.namespace} failed`,
    { cause: err, details: [redact(errorMessage(err), config)] },
  );
}

async function workflowStatus(
  connected: ConnectedClient,
  workflowId: string,
): Promise<string | undefined> {
  try {
    const description = await connected.client.workflow.getHandle(workflowId).describe();
    return description.status.name;
  } catch {
    return undefined;
  }
}

/** The gist of a connection error (the native side reports a whole Rust error chain). */
function shortCause(message: string): string {
  if (/connection refused|ECONNREFUSED/i.test(message)) return 'connection refused';
  if (/dns error|ENOTFOUND|failed to lookup|name resolution/i.test(message)) {
    return 'host not found';
  }
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/** Removes the API key from text that may end up in a message or a log. */
export function redact(text: string, config: Pick<TemporalConnectionConfig, 'apiKey'>): string {
  return redactSecrets(text, [config.apiKey]);
}

/**
 * Errors from `Worker.create`, which checks the namespace with the server before polling. The
 * native side reports them as plain errors, so the message is all there is to go on.
 */
export function explainWorkerStartError(
  err: unknown,
  config: TemporalConnectionConfig,
): HeadwayError {
  if (err instanceof HeadwayError) return err;
  const message = errorMessage(err);
  if (
    err instanceof NamespaceNotFoundError ||
    grpcCode(err) === GRPC.NOT_FOUND ||
    /namespace.*not found/i.test(message)
  ) {
    return namespaceNotFound(config);
  }
  if (isUnavailableError(err)) return unavailable(config, err);
  return new HeadwayError(
    ErrorCode.TemporalRequestFailed,
    `the worker could not start on ${config.address} (namespace ${config.namespace})`,
    { cause: err, details: [redact(message, config)] },
  );
}
