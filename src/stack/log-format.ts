/**
 * Turns one service log line into a short, single-line form for a terminal:
 * `04:52:07 temporal-monitored INFO  history  Created gRPC listener`. Understands the JSON lines of
 * Temporal (`time`/`level`/`msg`), Prometheus 2 (`ts`/`level`/`msg`) and pino (`time` ms,
 * numeric `level`); anything else is shown as it came. Log text is untrusted, so control
 * characters (terminal escapes) are removed.
 */
export function compactLogLine(service: string, line: string, width = 20): string {
  const parsed = parseStructured(line);
  const name = service.padEnd(width);
  if (parsed === undefined) return `${'        '} ${name} ${clean(line)}`;
  const where = parsed.component === undefined ? '' : `${parsed.component}  `;
  const extra = parsed.error === undefined ? '' : `  error=${parsed.error}`;
  return `${parsed.time} ${name} ${parsed.level.padEnd(5)} ${clean(where + parsed.msg + extra)}`;
}

/** Severity of a line, for filtering; undefined when the line is not structured. */
export function logLevelOf(line: string): string | undefined {
  return parseStructured(line)?.level;
}

interface Structured {
  time: string;
  level: string;
  msg: string;
  component: string | undefined;
  error: string | undefined;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function parseStructured(line: string): Structured | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const msg = str(record.msg) ?? str(record.message);
  if (msg === undefined) return undefined;
  const rawLevel = record.level;
  const level =
    typeof rawLevel === 'number'
      ? (PINO_LEVELS[rawLevel] ?? String(rawLevel))
      : (str(rawLevel) ?? 'INFO').toUpperCase();
  const component = str(record.service) ?? str(record.component);
  return {
    time: clock(record.time ?? record.ts),
    level: level === 'WARNING' ? 'WARN' : level,
    msg,
    component,
    error: str(record.error) ?? str(record.err),
  };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'message' in value) return str(value.message);
  return undefined;
}

function clock(value: unknown): string {
  const date =
    typeof value === 'number'
      ? new Date(value)
      : typeof value === 'string'
        ? new Date(value)
        : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return '--:--:--';
  return date.toISOString().slice(11, 19);
}

// C0 controls except tab, DEL, and C1 controls: enough to stop escape sequences.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One line, no escapes: a message cannot forge a second log line or recolour the terminal. */
function clean(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(CONTROL, '');
}
