import { pino, type DestinationStream, type Logger } from 'pino';

/** Record fields that may hold a secret, at the top level or one level down: censored as `***`. */
export const REDACT_PATHS = ['apiKey', 'api_key', 'token', 'password', 'url'].flatMap((key) => [
  key,
  `*.${key}`,
]);

export interface RootLoggerOptions {
  /** The `component` field of every record: which part of Headway wrote it. */
  readonly component: string;
  /** Default `info`. */
  readonly level?: string;
  /** Adds the pid to every record, for processes that run beside copies of themselves. */
  readonly pid?: boolean;
  /** Default stderr. Written synchronously, so nothing is lost when the process exits. */
  readonly destination?: 'stdout' | 'stderr' | DestinationStream;
}

/** The one way Headway builds a process's root logger: one base shape, one redaction list. */
export function createRootLogger(options: RootLoggerOptions): Logger {
  const destination =
    options.destination === undefined || typeof options.destination === 'string'
      ? pino.destination({ fd: options.destination === 'stdout' ? 1 : 2, sync: true })
      : options.destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: {
        component: options.component,
        ...(options.pid === true ? { pid: process.pid } : {}),
      },
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    destination,
  );
}
