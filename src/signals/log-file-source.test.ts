import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RotatingLog } from '../stack/rotating-log.js';

import { JsonLogFileSource } from './log-file-source.js';
import type { LogCollection } from './log-patterns.js';

const BASE = Date.parse('2026-11-22T04:52:00.000Z');
const WINDOW = { start: new Date(BASE), end: new Date(BASE + 60_000) };

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-log-source-'));
  file = join(dir, 'temporal-monitored.log');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface LineSpec {
  /** Seconds after BASE. */
  readonly at?: number;
  readonly level?: string;
  readonly msg?: string;
  readonly service?: string;
  readonly component?: string;
  readonly error?: string;
}

/** A line as the Temporal server writes it with `--log-format json` (nanosecond time). */
function temporalLine(spec: LineSpec = {}): string {
  const iso = new Date(BASE + (spec.at ?? 1) * 1000).toISOString();
  return JSON.stringify({
    time: `${iso.slice(0, -1)}780094Z`,
    level: spec.level ?? 'WARN',
    msg: spec.msg ?? 'dial tcp: connection refused',
    ...(spec.service === undefined ? {} : { service: spec.service }),
    ...(spec.component === undefined ? {} : { component: spec.component }),
    ...(spec.error === undefined ? {} : { error: spec.error }),
  });
}

function write(...lines: string[]): void {
  appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

/** `count` refused-connection lines tagged with `tag` in the message, for the history service. */
function refused(tag: string, count: number, at = 1): string[] {
  return Array.from({ length: count }, (_, i) =>
    temporalLine({ at, msg: `${tag} ${i}: connection refused`, service: 'history' }),
  );
}

function countOf(collection: LogCollection, pattern = 'connection refused'): number {
  return collection.patterns
    .filter((p) => p.pattern === pattern)
    .reduce((sum, p) => sum + p.count, 0);
}

describe('JsonLogFileSource: what counts', () => {
  it('counts lines inside the window, half-open, and keeps a later line for the next window', async () => {
    write(
      temporalLine({ at: -1, msg: 'before: connection refused' }),
      temporalLine({ at: 0, msg: 'at start: connection refused' }),
      temporalLine({ at: 59.999, msg: 'last ms: connection refused' }),
      temporalLine({ at: 60, msg: 'at end: connection refused' }),
    );
    const source = new JsonLogFileSource({ file });
    const first = await source.collect(WINDOW);
    expect(first).toMatchObject({
      source: 'file',
      lines_scanned: 4,
      window: { start: '2026-11-22T04:52:00.000Z', end: '2026-11-22T04:53:00.000Z' },
      errors: [],
    });
    expect(first.patterns).toEqual([
      {
        pattern: 'connection refused',
        service: 'unknown',
        count: 2,
        sample_message: 'at start: connection refused',
      },
    ]);
    // Nothing new was written, but the line at exactly `end` belongs to the next window.
    const next = await source.collect({ start: WINDOW.end, end: new Date(BASE + 120_000) });
    expect(next.lines_scanned).toBe(0);
    expect(next.patterns).toEqual([
      {
        pattern: 'connection refused',
        service: 'unknown',
        count: 1,
        sample_message: 'at end: connection refused',
      },
    ]);
  });

  it('counts a line that arrives after the read for its window in the next call, once', async () => {
    const source = new JsonLogFileSource({ file });
    const second = { start: WINDOW.end, end: new Date(BASE + 120_000) };
    const third = { start: second.end, end: new Date(BASE + 180_000) };
    expect((await source.collect(WINDOW)).patterns).toEqual([]);
    // Stamped at 59.9 s, inside the first window, but written after that call read the file.
    write(temporalLine({ at: 59.9, msg: 'late: connection refused' }));
    // Older than the previous window: history for this watcher, not a late line.
    write(temporalLine({ at: -5, msg: 'ancient: connection refused' }));
    const result = await source.collect(second);
    expect([result.lines_scanned, countOf(result)]).toEqual([2, 1]);
    expect(result.patterns[0]?.sample_message).toBe('late: connection refused');
    // Late only for the window just before: two windows later the same stamp is dropped.
    write(temporalLine({ at: 59.9, msg: 'very late: connection refused' }));
    expect(countOf(await source.collect(third))).toBe(0);
  });

  it.each([
    { level: 'WARN', counted: true },
    { level: 'ERROR', counted: true },
    { level: 'FATAL', counted: true },
    { level: 'PANIC', counted: true },
    { level: 'DPANIC', counted: true },
    { level: 'warn', counted: true },
    { level: 'warning', counted: true },
    { level: 'INFO', counted: false },
    { level: 'DEBUG', counted: false },
    { level: '', counted: false },
  ])('level $level counted: $counted', async ({ level, counted }) => {
    write(temporalLine({ level }));
    const result = await new JsonLogFileSource({ file }).collect(WINDOW);
    expect(result.lines_scanned).toBe(1);
    expect(countOf(result)).toBe(counted ? 1 : 0);
  });

  it('skips banner lines, broken JSON and lines without a usable time, but scans them', async () => {
    write(
      'CLI 1.5.1 (Server 1.29.1, UI 2.42.1)',
      '',
      'Server:  localhost:7233',
      'connection refused (plain text, not counted)',
      '{"time": "2026-11-22T04:52:01Z", "level": "WARN", "msg": "connection refused"', // cut off
      '["connection refused"]',
      JSON.stringify({ level: 'WARN', msg: 'no time: connection refused' }),
      JSON.stringify({ time: 'yesterday', level: 'WARN', msg: 'bad time: connection refused' }),
      JSON.stringify({ time: 12345, level: 'WARN', msg: 'numeric time: connection refused' }),
      JSON.stringify({ time: '2026-11-22T04:52:01Z', msg: 'no level: connection refused' }),
      temporalLine({ msg: 'the one that counts: connection refused' }),
    );
    const result = await new JsonLogFileSource({ file }).collect(WINDOW);
    expect(result.lines_scanned).toBe(11);
    expect(result.patterns).toEqual([
      {
        pattern: 'connection refused',
        service: 'unknown',
        count: 1,
        sample_message: 'the one that counts: connection refused',
      },
    ]);
    expect(result.errors).toEqual([]);
  });

  it('matches msg plus error, and takes the service from service, then component', async () => {
    write(
      temporalLine({
        msg: 'Nexus StartOperation request failed',
        error: 'dial tcp 127.0.0.1:1: connect: connection refused',
      }),
      temporalLine({ msg: 'poll failed', error: 'context deadline exceeded', service: 'matching' }),
      temporalLine({ msg: 'shard acquired', component: 'shard-controller' }),
      temporalLine({ msg: 'shard acquired', service: 'history', component: 'shard-controller' }),
      temporalLine({ msg: 'member left' }),
    );
    const result = await new JsonLogFileSource({ file }).collect(WINDOW);
    expect(result.patterns).toEqual([
      {
        pattern: 'connection refused',
        service: 'unknown',
        count: 1,
        sample_message:
          'Nexus StartOperation request failed dial tcp 127.0.0.1:1: connect: connection refused',
      },
      {
        pattern: 'deadline exceeded',
        service: 'matching',
        count: 1,
        sample_message: 'poll failed context deadline exceeded',
      },
      // `shard acquired` is history-only: the component-only line does not count.
      { pattern: 'shard acquired', service: 'history', count: 1, sample_message: 'shard acquired' },
      { pattern: 'member left', service: 'unknown', count: 1, sample_message: 'member left' },
    ]);
  });

  it('quotes untrusted messages safely', async () => {
    write(
      temporalLine({
        msg: `connection refused\n{"level":"ERROR"}\u001b[2J${'z'.repeat(1_000)}`,
        service: 'frontend',
      }),
    );
    const [row] = (await new JsonLogFileSource({ file }).collect(WINDOW)).patterns;
    expect(row?.sample_message).toHaveLength(500);
    expect(row?.sample_message.startsWith('connection refused {"level":"ERROR"}[2Jzzz')).toBe(true);
  });
});

describe('JsonLogFileSource: reading a growing file', () => {
  it('reads only new lines on each call', async () => {
    write(...refused('a', 3));
    const source = new JsonLogFileSource({ file });
    const first = await source.collect(WINDOW);
    expect([first.lines_scanned, countOf(first)]).toEqual([3, 3]);

    const idle = await source.collect(WINDOW);
    expect([idle.lines_scanned, countOf(idle)]).toEqual([0, 0]);

    write(...refused('b', 2), temporalLine({ level: 'INFO' }));
    const second = await source.collect(WINDOW);
    expect([second.lines_scanned, countOf(second)]).toEqual([3, 2]);
    expect(second.patterns[0]?.sample_message).toBe('b 0: connection refused');
  });

  it('waits for the newline of a line still being written', async () => {
    const line = temporalLine({ msg: 'split: connection refused' });
    const source = new JsonLogFileSource({ file });
    appendFileSync(file, line.slice(0, 20));
    expect((await source.collect(WINDOW)).lines_scanned).toBe(0);
    appendFileSync(file, line.slice(20));
    expect((await source.collect(WINDOW)).lines_scanned).toBe(0);
    appendFileSync(file, '\n');
    const done = await source.collect(WINDOW);
    expect([done.lines_scanned, countOf(done)]).toEqual([1, 1]);
  });

  it('gives the same answer with tiny read chunks (lines and UTF-8 split across reads)', async () => {
    const lines = [
      temporalLine({ msg: 'ünïcödé 😀 connection refused', service: 'history' }),
      'banner ✓',
      ...refused('x', 20),
    ];
    write(...lines);
    const whole = await new JsonLogFileSource({ file }).collect(WINDOW);
    const chunked = await new JsonLogFileSource({ file, chunkBytes: 7 }).collect(WINDOW);
    expect(chunked).toEqual(whole);
    expect(chunked.lines_scanned).toBe(22);
    expect(chunked.patterns[0]?.sample_message).toBe('ünïcödé 😀 connection refused');
  });

  it('skips a line longer than maxLineBytes without holding it, and reads on', async () => {
    write(
      temporalLine({ msg: `connection refused ${'x'.repeat(5_000)}` }),
      temporalLine({ msg: 'short: connection refused' }),
    );
    const source = new JsonLogFileSource({ file, chunkBytes: 256, maxLineBytes: 1_000 });
    const result = await source.collect(WINDOW);
    expect(result.lines_scanned).toBe(2);
    expect(result.patterns).toEqual([
      {
        pattern: 'connection refused',
        service: 'unknown',
        count: 1,
        sample_message: 'short: connection refused',
      },
    ]);
  });

  it('reads a large file in bounded chunks with exact counts', async () => {
    const lines = refused('bulk', 50_000);
    write(...lines);
    const result = await new JsonLogFileSource({ file }).collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([50_000, 50_000]);
  });

  it('runs overlapping calls one after another, so no line is counted twice', async () => {
    write(...refused('c', 500));
    const source = new JsonLogFileSource({ file, chunkBytes: 1024 });
    const results = await Promise.all([
      source.collect(WINDOW),
      source.collect(WINDOW),
      source.collect(WINDOW),
    ]);
    expect(results.map((r) => countOf(r))).toEqual([500, 0, 0]);
  });

  it('stops at an abort, reports it, and resumes where it stopped', async () => {
    write(...refused('d', 1_000));
    const source = new JsonLogFileSource({ file, chunkBytes: 512 });
    const aborted = await source.collect(WINDOW, AbortSignal.abort());
    expect(aborted.errors).toEqual(['aborted']);
    expect(aborted.lines_scanned).toBe(0);
    const resumed = await source.collect(WINDOW);
    expect([resumed.lines_scanned, countOf(resumed)]).toEqual([1_000, 1_000]);
  });
});

describe('JsonLogFileSource: rotation', () => {
  it('reads the rest of the rotated file once, then the new file, without double counting', async () => {
    write(...refused('old', 3));
    const source = new JsonLogFileSource({ file });
    expect(countOf(await source.collect(WINDOW))).toBe(3);

    // Written after the last read and just before the rotation: must not be lost.
    write(...refused('late', 2));
    renameSync(file, `${file}.1`);
    write(...refused('new', 4));
    const afterRotation = await source.collect(WINDOW);
    expect(afterRotation.errors).toEqual([]);
    expect([afterRotation.lines_scanned, countOf(afterRotation)]).toEqual([6, 6]);
    expect(afterRotation.patterns[0]?.sample_message).toBe('late 0: connection refused');

    write(...refused('more', 1));
    const steady = await source.collect(WINDOW);
    expect([steady.lines_scanned, countOf(steady)]).toEqual([1, 1]);
  });

  it('counts the last line of a rotated file even without a trailing newline', async () => {
    const source = new JsonLogFileSource({ file });
    const line = temporalLine({ msg: 'unterminated: connection refused' });
    appendFileSync(file, line.slice(0, 30));
    expect((await source.collect(WINDOW)).lines_scanned).toBe(0);
    appendFileSync(file, line.slice(30));
    renameSync(file, `${file}.1`);
    write(...refused('new', 1));
    const result = await source.collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([2, 2]);
  });

  it.each([1, 2, 3, 5, 8, 13])(
    'an abort after %i chunk reads in the middle of a rotation loses and repeats nothing',
    async (reads) => {
      write(...refused('a', 1));
      const source = new JsonLogFileSource({ file, chunkBytes: 100 });
      await source.collect(WINDOW);
      write(...refused('late', 3));
      renameSync(file, `${file}.1`);
      write(...refused('mid', 3));
      renameSync(`${file}.1`, `${file}.2`);
      renameSync(file, `${file}.1`);
      write(...refused('new', 3));
      // Aborts once the source has looked at the signal `reads` times (once per chunk).
      let looks = 0;
      const signal = {
        get aborted() {
          looks += 1;
          return looks > reads;
        },
      } as AbortSignal;
      const first = await source.collect(WINDOW, signal);
      const rest = await source.collect(WINDOW);
      expect(countOf(first) + countOf(rest)).toBe(9);
      expect(first.lines_scanned + rest.lines_scanned).toBe(9);
      expect(rest.errors).toEqual([]);
    },
  );

  it('follows several rotations between two calls, oldest first', async () => {
    write(...refused('g0', 1));
    const source = new JsonLogFileSource({ file });
    expect(countOf(await source.collect(WINDOW))).toBe(1);
    write(...refused('g0-late', 1));
    renameSync(file, `${file}.1`);
    write(...refused('g1', 2));
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    write(...refused('g2', 3));
    const result = await source.collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([6, 6]);
    expect(result.patterns[0]?.sample_message).toBe('g0-late 0: connection refused');
  });

  it('keeps up with RotatingLog (the supervisor writer) rotating under it', async () => {
    const log = new RotatingLog(file, { maxBytes: 4_096, keep: 3 });
    const source = new JsonLogFileSource({ file });
    let written = 0;
    let counted = 0;
    try {
      for (let round = 0; round < 20; round += 1) {
        // About 3 KB per round against 4 KB files: a rotation every round or two.
        for (const line of refused(`r${round}`, 15)) log.writeLine(line);
        written += 15;
        const result = await source.collect(WINDOW);
        expect(result.errors).toEqual([]);
        counted += countOf(result);
      }
    } finally {
      log.close();
    }
    expect(counted).toBe(written);
  });

  it('reads the rotated file when the new one is not there yet, then the new one', async () => {
    write(...refused('a', 1));
    const source = new JsonLogFileSource({ file });
    await source.collect(WINDOW);
    write(...refused('b', 2));
    renameSync(file, `${file}.1`);
    const gap = await source.collect(WINDOW);
    expect(countOf(gap)).toBe(2);
    expect(gap.errors).toEqual([`log file not found: ${file}`]);
    write(...refused('c', 3));
    const resumed = await source.collect(WINDOW);
    expect([resumed.lines_scanned, countOf(resumed), resumed.errors]).toEqual([3, 3, []]);
  });

  it('follows copy-then-truncate rotation (logrotate copytruncate)', async () => {
    write(...refused('a', 2));
    const source = new JsonLogFileSource({ file });
    expect(countOf(await source.collect(WINDOW))).toBe(2);
    write(...refused('b', 1));
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    write(temporalLine({ msg: 'c: connection refused' }));
    const result = await source.collect(WINDOW);
    expect(result.errors).toEqual([]);
    expect([result.lines_scanned, countOf(result)]).toEqual([2, 2]);
  });

  it('reports a truncation it cannot follow, and reads the file again from its start', async () => {
    write(...refused('a', 5));
    // A stale `.1` from some earlier rotation must not be taken for the truncated content.
    writeFileSync(`${file}.1`, refused('stale', 10).join('\n'));
    const source = new JsonLogFileSource({ file });
    expect(countOf(await source.collect(WINDOW))).toBe(5);
    truncateSync(file, 0);
    write(...refused('b', 1));
    const result = await source.collect(WINDOW);
    expect(countOf(result)).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('was truncated or replaced');
  });

  it('reports a replaced file instead of guessing, even when the inode number is reused', async () => {
    write(...refused('a', 1));
    const source = new JsonLogFileSource({ file });
    await source.collect(WINDOW);
    rmSync(file);
    // Longer than before, so only the bytes before the old offset can tell the files apart when
    // the file system hands out the freed inode number again.
    write(...refused('b', 2));
    const result = await source.collect(WINDOW);
    expect(countOf(result)).toBe(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/was rotated|was truncated or replaced/);
  });

  it('reports lines lost when the file last read was rotated away entirely', async () => {
    write(...refused('a', 1));
    const source = new JsonLogFileSource({ file, maxRotations: 1 });
    await source.collect(WINDOW);
    renameSync(file, `${file}.2`);
    write(...refused('b', 2));
    const result = await source.collect(WINDOW);
    expect(countOf(result)).toBe(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('was rotated');
  });

  it('notices a file truncated and rewritten past the old offset between two calls', async () => {
    write(...refused('a', 2));
    const source = new JsonLogFileSource({ file });
    await source.collect(WINDOW);
    truncateSync(file, 0);
    write(...refused('rewritten', 5));
    const result = await source.collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([5, 5]);
    expect(result.errors[0]).toContain('was truncated or replaced');
  });
});

describe('JsonLogFileSource: start position and missing files', () => {
  it("startAt 'end' ignores what the file held when the source was created", async () => {
    write(...refused('history', 10));
    const source = new JsonLogFileSource({ file, startAt: 'end' });
    write(...refused('new', 2));
    const result = await source.collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([2, 2]);
    expect(result.patterns[0]?.sample_message).toBe('new 0: connection refused');
  });

  it("startAt 'start' (the default) reads the history, and the window decides", async () => {
    write(...refused('history', 10), ...refused('old', 4, -3_600));
    const result = await new JsonLogFileSource({ file, startAt: 'start' }).collect(WINDOW);
    expect([result.lines_scanned, countOf(result)]).toEqual([14, 10]);
  });

  it("startAt 'end' on a file that does not exist yet reads it from its start once created", async () => {
    const source = new JsonLogFileSource({ file, startAt: 'end' });
    expect((await source.collect(WINDOW)).errors).toEqual([`log file not found: ${file}`]);
    write(...refused('first', 3));
    const result = await source.collect(WINDOW);
    expect([result.lines_scanned, countOf(result), result.errors]).toEqual([3, 3, []]);
  });

  it('returns an empty collection with an error for a missing file, never a throw', async () => {
    const missing = join(dir, 'nope', 'temporal.log');
    const result = await new JsonLogFileSource({ file: missing }).collect(WINDOW);
    expect(result).toEqual({
      source: 'file',
      patterns: [],
      lines_scanned: 0,
      window: { start: WINDOW.start.toISOString(), end: WINDOW.end.toISOString() },
      errors: [`log file not found: ${missing}`],
    });
  });

  it.each([
    { name: 'an invalid date', window: { start: new Date(Number.NaN), end: WINDOW.end } },
    { name: 'an end before the start', window: { start: WINDOW.end, end: WINDOW.start } },
  ])('rejects $name without reading (the lines stay for a good window)', async ({ window }) => {
    write(...refused('kept', 2));
    const source = new JsonLogFileSource({ file });
    const bad = await source.collect(window);
    expect(bad.lines_scanned).toBe(0);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/^the window /);
    expect(countOf(await source.collect(WINDOW))).toBe(2);
  });

  it('reports a directory in place of the file as an error', async () => {
    const result = await new JsonLogFileSource({ file: dir }).collect(WINDOW);
    expect(result.patterns).toEqual([]);
    expect(result.errors).toHaveLength(1);
  });
});
