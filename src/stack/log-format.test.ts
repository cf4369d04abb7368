import { describe, expect, it } from 'vitest';

import { compactLogLine, logLevelOf } from './log-format.js';

const TEMPORAL_LINE =
  '{"time":"2026-11-22T04:52:07.903Z","level":"INFO","msg":"Use rpc address","component":"metadata-initializer"}';
const PROMETHEUS_LINE =
  '{"caller":"main.go:1300","component":"web","level":"info","msg":"Server is ready to receive web requests.","ts":"2026-11-22T04:52:08.123Z"}';
const PINO_TIME = Date.UTC(2026, 10, 22, 4, 52, 9, 500);
const PINO_LINE = `{"level":40,"time":${PINO_TIME},"pid":4242,"hostname":"h","msg":"slow poll"}`;

// Anything a terminal would interpret: C0 controls (but tab), DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

describe('compactLogLine', () => {
  it('formats a Temporal server line as time, service, level, component and message', () => {
    expect(compactLogLine('temporal-monitored', TEMPORAL_LINE)).toBe(
      '04:52:07 temporal-monitored   INFO  metadata-initializer  Use rpc address',
    );
  });

  it('formats a Prometheus line (ts, lowercase level)', () => {
    expect(compactLogLine('prometheus', PROMETHEUS_LINE)).toBe(
      '04:52:08 prometheus           INFO  web  Server is ready to receive web requests.',
    );
  });

  it('formats a pino line (numeric level, time in ms)', () => {
    expect(compactLogLine('worker', PINO_LINE)).toBe(
      '04:52:09 worker               WARN  slow poll',
    );
  });

  it('appends an error field, a string or an object with a message', () => {
    const withError =
      '{"time":"2026-11-22T04:52:07Z","level":"ERROR","msg":"poll failed","error":"connection refused"}';
    expect(compactLogLine('svc', withError, 4)).toBe(
      '04:52:07 svc  ERROR poll failed  error=connection refused',
    );
    const pinoErr = `{"level":50,"time":${PINO_TIME},"msg":"boom","err":{"type":"Error","message":"bad thing"}}`;
    expect(compactLogLine('w', pinoErr, 1)).toBe('04:52:09 w ERROR boom  error=bad thing');
  });

  it('prefers `service` over `component` and `message` when there is no `msg`', () => {
    const line =
      '{"time":"2026-11-22T04:52:07Z","level":"warning","message":"hi","service":"history","component":"x"}';
    expect(compactLogLine('s', line, 1)).toBe('04:52:07 s WARN  history  hi');
  });

  it('shows placeholders for a missing or unparsable time', () => {
    expect(compactLogLine('s', '{"msg":"no time"}', 1)).toBe('--:--:-- s INFO  no time');
    expect(compactLogLine('s', '{"msg":"bad","time":"yesterday"}', 1)).toBe('--:--:-- s INFO  bad');
  });

  it('passes a line that is not structured JSON through as it came', () => {
    expect(compactLogLine('prometheus', 'level=info msg="plain logfmt line"')).toBe(
      '         prometheus           level=info msg="plain logfmt line"',
    );
    // JSON without a message, and broken JSON, are shown raw too.
    expect(compactLogLine('s', '{"level":"info"}', 1)).toBe('         s {"level":"info"}');
    expect(compactLogLine('s', '{"msg": oops', 1)).toBe('         s {"msg": oops');
    expect(compactLogLine('s', '[1,2]', 1)).toBe('         s [1,2]');
  });

  it('removes terminal escapes and control characters from a raw line', () => {
    const out = compactLogLine(
      's',
      'red \u001b[31mALERT\u001b[0m bell\u0007 csi\u009b2J\u007f!',
      1,
    );
    expect(out).not.toMatch(CONTROL);
    expect(out).toContain('ALERT');
    expect(out).toContain('bell');
    expect(out.endsWith('!')).toBe(true);
  });

  it('removes terminal escapes from the fields of a structured line', () => {
    const line = JSON.stringify({
      time: '2026-11-22T04:52:07Z',
      level: 'INFO',
      msg: 'title \u001b]0;pwned\u0007 done',
      component: 'c\u001b[2Jx',
      error: 'e\u0008rr\r',
    });
    const out = compactLogLine('s', line, 1);
    expect(out).not.toMatch(CONTROL);
    expect(out.startsWith('04:52:07 s INFO  ')).toBe(true);
    expect(out).toContain('done');
  });

  it('keeps the output on one line when a message holds a newline', () => {
    const line = JSON.stringify({
      time: '2026-11-22T04:52:07Z',
      level: 'INFO',
      msg: 'first\n04:52:08 temporal-monitored   ERROR forged line',
    });
    const out = compactLogLine('s', line, 1);
    expect(out).not.toContain('\n');
    expect(out).not.toMatch(CONTROL);
  });
});

describe('logLevelOf', () => {
  it('returns the normalized severity of structured lines', () => {
    expect(logLevelOf(TEMPORAL_LINE)).toBe('INFO');
    expect(logLevelOf(PROMETHEUS_LINE)).toBe('INFO');
    expect(logLevelOf(PINO_LINE)).toBe('WARN');
    expect(logLevelOf('{"level":"warning","msg":"x"}')).toBe('WARN');
    expect(logLevelOf('{"level":"debug","msg":"x"}')).toBe('DEBUG');
    expect(logLevelOf('{"level":60,"msg":"x"}')).toBe('FATAL');
    expect(logLevelOf('{"level":10,"msg":"x"}')).toBe('TRACE');
    // An unknown numeric level is shown as the number; a missing one counts as INFO.
    expect(logLevelOf('{"level":35,"msg":"x"}')).toBe('35');
    expect(logLevelOf('{"msg":"x"}')).toBe('INFO');
  });

  it('returns undefined for lines that are not structured', () => {
    expect(logLevelOf('plain text')).toBeUndefined();
    expect(logLevelOf('{"level":"info"}')).toBeUndefined();
    expect(logLevelOf('{not json')).toBeUndefined();
    expect(logLevelOf('null')).toBeUndefined();
    expect(logLevelOf('')).toBeUndefined();
  });
});
