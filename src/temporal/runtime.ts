import type { LogLevel } from '@temporalio/worker';
// The SDK's own modules, not its index, which loads the whole worker (see connection.ts).
import { DefaultLogger } from '@temporalio/worker/lib/logger.js';
import { Runtime } from '@temporalio/worker/lib/runtime.js';
import type { Logger } from 'pino';

import { checkLevelBeforeComposing } from './composed-log-gate.js';

export interface RuntimeSetup {
  /** Where SDK and workflow/activity logs go. */
  readonly logger: Logger;
  /** `host:port` for the SDK's Prometheus endpoint (`/metrics`); none when undefined. */
  readonly metricsBindAddress?: string;
}

const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/**
 * Installs the process-wide Temporal runtime: SDK logs (Core's too) forwarded to pino, and SDK
 * metrics served for Prometheus. Must run before any NativeConnection or Worker exists (the SDK
 * throws otherwise). Shutdown signals are left to the caller, which decides what a second Ctrl-C
 * means.
 */
export function installRuntime(setup: RuntimeSetup): void {
  const { logger } = setup;
  const sdkLevel = (Object.keys(PINO_LEVEL) as LogLevel[]).find(
    (l) => PINO_LEVEL[l] === logger.level,
  );
  const level = sdkLevel ?? 'INFO';
  const runtime = Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      logger[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message);
    }),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(setup.metricsBindAddress === undefined
        ? {}
        : { metrics: { prometheus: { bindAddress: setup.metricsBindAddress } } }),
    },
  });
  // The runtime's logger is the SDK's collector of forwarded logs, which ends in the one above.
  checkLevelBeforeComposing(runtime.logger, level);
}
