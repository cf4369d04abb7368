import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';
import { DEFAULT_THRESHOLDS } from '../health/index.js';

import { readTrace, replayTrace } from './trace.js';

describe('readTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headway-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads one observation per line, skipping blank lines, and replays them in order', async () => {
    const line = (t: string) => JSON.stringify({ timestamp: t, primary_signals: {} });
    const file = write('ok.jsonl', `${line('a')}\n\n${line('b')}\n`);
    const entries = await readTrace(file);
    expect(entries.map((e) => e.timestamp)).toEqual(['a', 'b']);
    expect(replayTrace(entries, DEFAULT_THRESHOLDS).map((e) => e.timestamp)).toEqual(['a', 'b']);
  });

  it('reports every bad line as a usage error before returning anything', async () => {
    const file = write('bad.jsonl', '{not json\n{"timestamp":"a"}\n');
    const err = await readTrace(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.Usage);
    expect((err as HeadwayError).details).toHaveLength(2);
  });

  it('refuses an empty trace', async () => {
    const err = await readTrace(write('empty.jsonl', '\n')).catch((e: unknown) => e);
    expect((err as HeadwayError).message).toContain('holds no observations');
  });
});
