import { ErrorCode, HeadwayError } from '../errors.js';

/** A duration flag (`30s`, `5m`, `100ms`, `1h`) in milliseconds, or a usage error naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) {
    throw new HeadwayError(ErrorCode.Usage, `${flag} ${JSON.stringify(text)} is not a duration`, {
      hint: 'use a number with ms, s, m or h, e.g. 30s or 5m',
    });
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
