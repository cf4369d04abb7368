// Hand-written: the SDK's composed loggers merge every entry's metadata before the root logger
// checks its level, and no SDK setting checks first (@temporalio/common's logger module, SDK 1.24).
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { LoggerWithComposedMetadata } from '@temporalio/common/lib/logger.js';
import type { DefaultLogger } from '@temporalio/worker/lib/logger.js';

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const METHODS = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
} as const;

/** The roots whose composed loggers drop entries below the root's level before composing. */
const gated = new Set<DefaultLogger>();

/** What the SDK's class holds (private in its types). */
interface Composed {
  readonly parentLogger: unknown;
}

/**
 * Entries logged through loggers the SDK composes on `root` (the worker's, the workflow log
 * sink's, an activity's) are dropped before their metadata is merged when `root` would drop them.
 * The SDK merges first: for every workflow task a worker logs a few TRACE and DEBUG entries
 * (the activation itself as metadata), each merged and then filtered out (measured at 50/s with
 * 4 bench workers: 4 % of the main thread; docs/bench.md, "Fourteenth round"). What reaches
 * `root` is unchanged.
 */
export function checkLevelBeforeComposing(root: DefaultLogger): void {
  if (gated.size === 0) patchComposedLogger();
  gated.add(root);
}

function dropped(logger: Composed, level: LogLevel): boolean {
  const root = logger.parentLogger;
  return (
    gated.has(root as DefaultLogger) && SEVERITY[level] < SEVERITY[(root as DefaultLogger).level]
  );
}

function patchComposedLogger(): void {
  const proto = LoggerWithComposedMetadata.prototype;
  for (const [method, level] of Object.entries(METHODS) as [keyof typeof METHODS, LogLevel][]) {
    // Called below with each logger as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = proto[method];
    proto[method] = function (
      this: LoggerWithComposedMetadata,
      message: string,
      meta?: LogMetadata,
    ) {
      if (!dropped(this as unknown as Composed, level)) original.call(this, message, meta);
    };
  }
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const log = proto.log;
  proto.log = function (this: LoggerWithComposedMetadata, level, message, meta) {
    if (!dropped(this as unknown as Composed, level)) log.call(this, level, message, meta);
  };
}
