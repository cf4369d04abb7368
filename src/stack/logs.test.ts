import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { followFiles, tailLines } from './logs.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function numberedLines(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `line ${String(i + 1).padStart(5, '0')} ${'x'.repeat(40)}`,
  );
}

/** Polls `check` until it passes or the deadline is reached (then its last failure is thrown). */
async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await delay(20);
  }
}

describe('tailLines', () => {
  it('returns the last N lines of a file larger than one 64 KiB block', async () => {
    const lines = numberedLines(3_000);
    const file = join(dir, 'big.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(statSync(file).size).toBeGreaterThan(2 * 64 * 1024);

    expect(await tailLines(file, 5)).toEqual(lines.slice(-5));
    expect(await tailLines(file, 1)).toEqual(lines.slice(-1));
    // Enough lines that several blocks must be read and joined.
    expect(await tailLines(file, 2_500)).toEqual(lines.slice(-2_500));
    // More lines than the file holds: all of them.
    expect(await tailLines(file, 10_000)).toEqual(lines);
  });

  it('handles a file without a trailing newline', async () => {
    const file = join(dir, 'partial.log');
    writeFileSync(file, 'a\nb\nc');
    expect(await tailLines(file, 2)).toEqual(['b', 'c']);
  });

  it('keeps multi-byte characters that straddle a block boundary intact', async () => {
    // 31-byte lines of ten 3-byte characters: 65536 is not a multiple of 31 or 3, so the block
    // boundary falls inside a character.
    const line = '€'.repeat(10);
    const lines = Array.from({ length: 3_000 }, () => line);
    const file = join(dir, 'utf8.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const tail = await tailLines(file, 3_000);
    expect(tail).toHaveLength(3_000);
    expect(tail.filter((l) => l !== line)).toEqual([]);
  });

  it('returns nothing for a missing file or a count of zero', async () => {
    expect(await tailLines(join(dir, 'missing.log'), 10)).toEqual([]);
    const file = join(dir, 'small.log');
    writeFileSync(file, 'a\nb\n');
    expect(await tailLines(file, 0)).toEqual([]);
    expect(await tailLines(file, -3)).toEqual([]);
    writeFileSync(join(dir, 'empty.log'), '');
    expect(await tailLines(join(dir, 'empty.log'), 3)).toEqual([]);
  });
});

describe('followFiles', () => {
  it('reports appended lines, across rotation, and from files that appear later', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const sync = join(dir, 'sync.log');
    writeFileSync(a, 'old line before following\n');
    const seen: string[] = [];
    const controller = new AbortController();
    const following = followFiles(
      [
        { name: 'alpha', file: a },
        { name: 'beta', file: b },
        // Listed last: a marker seen here means the files before it were read in that pass.
        { name: 'sync', file: sync },
      ],
      (name, line) => seen.push(`${name}: ${line}`),
      controller.signal,
    );
    const lines = (): string[] => seen.filter((l) => !l.startsWith('sync: '));
    let markers = 0;
    /** Returns once the follower has read every file after everything written so far. */
    const settle = async (): Promise<void> => {
      // Two round trips: the pass that reports the second marker started after the first was seen.
      for (let round = 0; round < 2; round += 1) {
        const deadline = Date.now() + 5_000;
        for (;;) {
          // A marker written before the follower took its starting positions is never reported
          // (it counts as old content), so a new marker is written until one comes through.
          markers += 1;
          const marker = `sync: marker ${markers}`;
          appendFileSync(sync, `marker ${markers}\n`);
          const retryAt = Date.now() + 600;
          while (!seen.includes(marker) && Date.now() < retryAt) await delay(20);
          if (seen.includes(marker)) break;
          if (Date.now() > deadline) throw new Error('the follower never reported a marker');
        }
      }
    };
    try {
      await settle();
      // What was in the file before following started is not reported.
      expect(lines()).toEqual([]);

      appendFileSync(a, 'one\ntwo\n');
      await eventually(() => expect(lines()).toEqual(['alpha: one', 'alpha: two']));

      // A line written in two pieces is reported once, when it is complete.
      appendFileSync(a, 'thr');
      await settle();
      expect(lines()).toEqual(['alpha: one', 'alpha: two']);
      appendFileSync(a, 'ee\n');
      await eventually(() => expect(lines().at(-1)).toBe('alpha: three'));

      // Rotation: the file is renamed away and a new one is written in its place. The new file is
      // already larger than the old one, so only its new inode tells the follower to start over.
      const rotated = `after rotation ${'r'.repeat(80)}`;
      renameSync(a, `${a}.1`);
      writeFileSync(a, `${rotated}\n`);
      expect(statSync(a).size).toBeGreaterThan(statSync(`${a}.1`).size);
      await eventually(() => expect(lines().at(-1)).toBe(`alpha: ${rotated}`));

      // Truncation in place: once noticed, reading restarts at the beginning.
      truncateSync(a, 0);
      await settle();
      appendFileSync(a, 'after truncate\n');
      await eventually(() => expect(lines().at(-1)).toBe('alpha: after truncate'));

      // A file that did not exist at the start is read from its beginning.
      writeFileSync(b, 'beta first\nbeta second\n');
      await eventually(() =>
        expect(lines().slice(-2)).toEqual(['beta: beta first', 'beta: beta second']),
      );

      expect(lines()).toEqual([
        'alpha: one',
        'alpha: two',
        'alpha: three',
        `alpha: ${rotated}`,
        'alpha: after truncate',
        'beta: beta first',
        'beta: beta second',
      ]);
    } finally {
      controller.abort();
      await following;
    }
  });

  it('returns promptly when the signal aborts', async () => {
    const controller = new AbortController();
    const following = followFiles(
      [{ name: 'c', file: join(dir, 'c.log') }],
      () => undefined,
      controller.signal,
    );
    controller.abort();
    const started = Date.now();
    await following;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not start when the signal is already aborted', async () => {
    const file = join(dir, 'd.log');
    writeFileSync(file, '');
    const seen: string[] = [];
    const controller = new AbortController();
    controller.abort();
    const following = followFiles([{ name: 'd', file }], (_, l) => seen.push(l), controller.signal);
    appendFileSync(file, 'x\n');
    await following;
    expect(seen).toEqual([]);
  });
});
