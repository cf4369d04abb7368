// Hand-written: the SDK's composed loggers merge every entry's metadata before any logger checks
// its level, and no SDK setting checks first (@temporalio/common's logger module, SDK 1.24).
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { LoggerWithComposedMetadata } from '@temporalio/common/lib/logger.js';

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** The parents whose composed loggers drop entries early, and the level they keep from. */
const gated = new Map<Logger, LogLevel>();

/** What the SDK's class holds (private in its types). */
interface Composed {
  readonly parentLogger: Logger;
}

/**
 * Entries logged through loggers the SDK composes on `parent` (the worker's, the workflow log
 * sink's, an activity's) are dropped before their metadata is merged when they are below `level`,
 * the level of the logger that `parent` ends in. The SDK merges first, and with Core's logs
 * forwarded its runtime logger (the parent) is a collector at TRACE that timestamps each entry
 * through the native bridge and holds it 100 ms before the level drops it: for every workflow
 * task a worker logs a few TRACE and DEBUG entries (the activation itself as metadata). Measured
 * at 50/s with 4 bench workers: 0.2 s of the main thread's 2.8 s (docs/bench.md, "Fourteenth
 * round"). What reaches the end logger is unchanged.
 */
export function checkLevelBeforeComposing(parent: Logger, level: LogLevel): void {
  if (gated.size === 0) patchComposedLogger();
  gated.set(parent, level);
}

function dropped(logger: Composed, level: LogLevel): boolean {
  const keeps = gated.get(logger.parentLogger);
  return keeps !== undefined && SEVERITY[level] < SEVERITY[keeps];
}

function patchComposedLogger(): void {
  const proto = LoggerWithComposedMetadata.prototype;
  for (const level of Object.keys(SEVERITY) as LogLevel[]) {
    // The logger's method for each level is the level's name in lower case.
    const method = level.toLowerCase() as Lowercase<LogLevel>;
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
