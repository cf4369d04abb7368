/**
 * Headway's error vocabulary. Every error a user can meet carries a stable `code` (for scripts and
 * docs) and, where there is one, a `hint` that says how to fix it. Only `bin/headway.ts` turns these
 * into exit codes.
 */
import { FailureType } from './model/failures.js';

export const ErrorCode = {
  ConfigInvalid: FailureType.ConfigInvalid,
  ConfigFileUnreadable: 'CONFIG_FILE_UNREADABLE',
  BinaryNotFound: 'BINARY_NOT_FOUND',
  BinaryInvalid: 'BINARY_INVALID',
  DownloadFailed: 'DOWNLOAD_FAILED',
  BuildFailed: 'BUILD_FAILED',
  PortInUse: 'PORT_IN_USE',
  StateDirInvalid: 'STATE_DIR_INVALID',
  StateCorrupt: 'STATE_CORRUPT',
  StateStale: 'STATE_STALE',
  StackBusy: 'STACK_BUSY',
  ServiceExited: 'SERVICE_EXITED',
  ReadinessTimeout: 'READINESS_TIMEOUT',
  UnknownService: 'UNKNOWN_SERVICE',
  PrometheusUnreachable: 'PROMETHEUS_UNREACHABLE',
  PrometheusAuthFailed: 'PROMETHEUS_AUTH_FAILED',
  PrometheusQueryFailed: 'PROMETHEUS_QUERY_FAILED',
  TemporalUnavailable: 'TEMPORAL_UNAVAILABLE',
  TemporalRequestFailed: 'TEMPORAL_REQUEST_FAILED',
  NamespaceNotFound: 'NAMESPACE_NOT_FOUND',
  WorkflowNotFound: 'WORKFLOW_NOT_FOUND',
  WorkflowAlreadyStarted: 'WORKFLOW_ALREADY_STARTED',
  WorkflowNotRunning: 'WORKFLOW_NOT_RUNNING',
  QueryFailed: 'QUERY_FAILED',
  StoreQueryFailed: 'STORE_QUERY_FAILED',
  StoreUnavailable: 'STORE_UNAVAILABLE',
  StoreLocked: 'STORE_LOCKED',
  SchemaFailed: 'SCHEMA_FAILED',
  SchemaMismatch: 'SCHEMA_MISMATCH',
  ClusterChangeRefused: 'CLUSTER_CHANGE_REFUSED',
  CopilotUnreachable: 'COPILOT_UNREACHABLE',
  WorkerForcedExit: 'WORKER_FORCED_EXIT',
  Usage: 'USAGE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface HeadwayErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
  /** Extra lines shown under the message (for example the last lines of a service log). */
  readonly details?: readonly string[];
}

export class HeadwayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: HeadwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeadwayError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: readonly string[] } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details.length === 0 ? {} : { details: this.details }),
    };
  }
}

export function isHeadwayError(err: unknown): err is HeadwayError {
  // Checked by shape as well as class: errors that crossed the supervisor's IPC channel are plain
  // objects rebuilt on this side.
  return err instanceof HeadwayError;
}

/** Rebuilds a HeadwayError from its JSON form (it crossed a process boundary). */
export function headwayErrorFromJSON(value: {
  code: string;
  message: string;
  hint?: string;
  details?: readonly string[];
}): HeadwayError {
  const known = Object.values(ErrorCode) as string[];
  const code = (known.includes(value.code) ? value.code : ErrorCode.Internal) as ErrorCode;
  return new HeadwayError(code, value.message, {
    ...(value.hint === undefined ? {} : { hint: value.hint }),
    ...(value.details === undefined ? {} : { details: value.details }),
  });
}

export function assertNever(value: never): never {
  throw new HeadwayError(ErrorCode.Internal, `unexpected value: ${String(value)}`);
}

/**
 * The message of anything thrown, without the stack. Includes the cause when there is one: Node's
 * fetch says only "fetch failed", and the reason (ENOTFOUND, ECONNREFUSED, …) is in its cause.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${err.message} (${code ?? cause.message})`;
  }
  return err.message;
}
