import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

import { errorMessage } from '../errors.js';

import {
  LOG_PATTERNS,
  PatternCounter,
  sanitizeLogText,
  windowProblem,
  windowToIso,
} from './log-patterns.js';
import type { LogCollection, LogEntry, LogPatternDef, LogSource } from './log-patterns.js';

export interface JsonLogFileSourceOptions {
  /** The live log, for example the stack's `temporal-monitored.log`. */
  readonly file: string;
  /**
   * `'start'` (default): the first call reads what the file already holds (the window still
   * decides what counts). `'end'`: only lines written after the source was constructed are read,
   * so a new watcher never pays for, or counts, the history of a large file.
   */
  readonly startAt?: 'start' | 'end';
  readonly patterns?: readonly LogPatternDef[];
  /** Bytes read at a time; memory per call is about one chunk plus the longest line. */
  readonly chunkBytes?: number;
  /** Longer lines are skipped (still counted as scanned) so one runaway line cannot fill memory. */
  readonly maxLineBytes?: number;
  /** Rotated generations (`x.log.1` … `x.log.N`) searched for the file last read. */
  readonly maxRotations?: number;
}

/** Levels the reference's LogQL filter keeps (`error|warn|fatal|panic`), as Temporal spells them. */
const COUNTED_LEVELS: ReadonlySet<string> = new Set(['WARN', 'ERROR', 'FATAL', 'PANIC', 'DPANIC']);

/** Lines held for a later window are bounded by total message length, not count. */
const HELD_MAX_CHARS = 4 * 1024 * 1024;

/** Bytes before the read offset remembered to recognise a copy-then-truncate rotation. */
const FINGERPRINT_BYTES = 64;

const ERROR_MAX_CHARS = 300;

interface Position {
  /** Inode of the file the next unread byte belongs to (live file or a rotated generation). */
  ino: number;
  offset: number;
  /** Up to FINGERPRINT_BYTES bytes just before `offset`. */
  tail: Buffer;
}

interface TimedEntry extends LogEntry {
  readonly time: Date;
}

/** What one call accumulates; passed down instead of living on the instance. */
interface Pass {
  readonly start: number;
  readonly end: number;
  /** The previous call's window, for lines that arrive late (see `#place`). */
  readonly previous: { readonly start: number; readonly end: number } | undefined;
  readonly counter: PatternCounter;
  readonly errors: string[];
  readonly signal: AbortSignal | undefined;
  scanned: number;
  aborted: boolean;
}

/**
 * Counts narrative log patterns in a Temporal server's JSON log (`--log-format json`), reading only
 * the bytes written since the previous call. Follows size-based rotation (`x.log` renamed to
 * `x.log.1`, a new `x.log` created, as `RotatingLog` and logrotate do): the rest of the renamed
 * file is read once, found by inode, then the new file from its start, so no line is counted twice
 * or skipped. Never throws; problems are reported in the collection's `errors`.
 *
 * Made for a caller that asks for `[previous end, now)` every few seconds. Lines dated after the
 * window's end are kept for the next call, and lines dated in the previous window that reached the
 * file after the previous read are counted late (see `#place`): both would otherwise be lost at
 * window boundaries.
 */
export class JsonLogFileSource implements LogSource {
  readonly #file: string;
  readonly #patterns: readonly LogPatternDef[];
  readonly #chunkBytes: number;
  readonly #maxLineBytes: number;
  readonly #maxRotations: number;
  /** Undefined until a file has been seen: the next file found is then read from its start. */
  #position: Position | undefined;
  /** Bytes of the line being read that have no newline yet. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** The current line outgrew maxLineBytes; drop bytes until its newline. */
  #skippingLine = false;
  #held: TimedEntry[] = [];
  #heldChars = 0;
  #previousWindow: { start: number; end: number } | undefined;
  /** Calls run one after another: they share the read position. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: JsonLogFileSourceOptions) {
    this.#file = options.file;
    this.#patterns = options.patterns ?? LOG_PATTERNS;
    this.#chunkBytes = Math.max(1, options.chunkBytes ?? 64 * 1024);
    this.#maxLineBytes = Math.max(1, options.maxLineBytes ?? 1024 * 1024);
    this.#maxRotations = Math.max(0, options.maxRotations ?? 5);
    // Measured now rather than at the first call, so "from the end" means from when the watcher
    // was created. A file that does not exist yet has no history: it is read from its start.
    if (options.startAt === 'end') this.#position = endOf(this.#file);
  }

  collect(window: { start: Date; end: Date }, signal?: AbortSignal): Promise<LogCollection> {
    const run = this.#queue.then(() => this.#collect(window, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #collect(
    window: { start: Date; end: Date },
    signal: AbortSignal | undefined,
  ): Promise<LogCollection> {
    const pass: Pass = {
      start: window.start.getTime(),
      end: window.end.getTime(),
      previous: this.#previousWindow,
      counter: new PatternCounter(this.#patterns),
      errors: [],
      signal,
      scanned: 0,
      aborted: false,
    };
    const problem = windowProblem(window);
    if (problem !== undefined) {
      // Nothing is read: a bad window must not consume lines that a good one would count.
      return this.#result(window, pass, [problem]);
    }
    try {
      const held = this.#held;
      this.#held = [];
      this.#heldChars = 0;
      for (const entry of held) this.#place(entry, pass);
      await this.#readNew(pass);
    } catch (err) {
      // Every expected failure is handled where it happens; this is the last guard of "never throws".
      pass.errors.push(`reading ${this.#file} failed: ${errorMessage(err)}`);
    }
    this.#previousWindow = { start: pass.start, end: pass.end };
    return this.#result(window, pass, pass.errors);
  }

  #result(
    window: { start: Date; end: Date },
    pass: Pass,
    errors: readonly string[],
  ): LogCollection {
    return {
      source: 'file',
      patterns: pass.counter.result(),
      lines_scanned: pass.scanned,
      window: windowToIso(window),
      errors: errors.map((e) => sanitizeLogText(e, ERROR_MAX_CHARS)),
    };
  }

  async #readNew(pass: Pass): Promise<void> {
    let live: FileHandle;
    try {
      live = await open(this.#file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Renamed away and not yet recreated: the renamed file may still hold unread lines.
      if (code === 'ENOENT' && this.#position !== undefined) {
        if (await this.#drainRotated(pass)) this.#position = undefined;
      }
      pass.errors.push(
        code === 'ENOENT'
          ? `log file not found: ${this.#file}`
          : `cannot open log file ${this.#file}: ${errorMessage(err)}`,
      );
      return;
    }
    try {
      // Inode and size of the handle, not of the path: a rotation between the two cannot mix them.
      const { ino, size } = await live.stat();
      const position = this.#position;
      if (position !== undefined && position.ino !== ino) {
        if (!(await this.#drainRotated(pass))) return;
        this.#position = { ino, offset: 0, tail: Buffer.alloc(0) };
      } else if (
        position !== undefined &&
        (size < position.offset || !(await endsWith(live, position.offset, position.tail)))
      ) {
        if (!(await this.#drainTruncated(position, pass))) return;
        this.#position = { ino, offset: 0, tail: Buffer.alloc(0) };
      } else if (position === undefined) {
        this.#position = { ino, offset: 0, tail: Buffer.alloc(0) };
      }
      await this.#readRange(live, size, pass, false);
    } finally {
      await live.close();
    }
  }

  /**
   * The live file is no longer the one last read. Finds that one among the rotated generations by
   * inode, reads its rest, then every newer generation whole (the log rotated more than once since
   * the last call). Returns false when aborted part-way: the position then still names the
   * generation being read, and the next call resumes there.
   */
  async #drainRotated(pass: Pass): Promise<boolean> {
    const position = this.#position;
    if (position === undefined) return true;
    const generations: { handle: FileHandle; ino: number; size: number }[] = [];
    try {
      let found = -1;
      for (let n = 1; n <= this.#maxRotations && found < 0; n += 1) {
        const handle = await open(`${this.#file}.${n}`, 'r').catch(() => undefined);
        if (handle === undefined) continue;
        const { ino, size } = await handle.stat();
        generations.push({ handle, ino, size });
        if (ino === position.ino) found = generations.length - 1;
      }
      if (found < 0) {
        pass.errors.push(
          `${this.#file} was rotated and the file last read is gone (or rotated more than ` +
            `${this.#maxRotations} times since); lines written to it after the previous read were not counted`,
        );
        this.#resetLine();
        return true;
      }
      // Oldest first: the generation last read, then each newer one.
      for (let i = found; i >= 0; i -= 1) {
        const generation = generations[i]!;
        if (i !== found) this.#position = { ino: generation.ino, offset: 0, tail: Buffer.alloc(0) };
        await this.#readRange(generation.handle, generation.size, pass, true);
        if (pass.aborted) return false;
      }
      return true;
    } finally {
      await Promise.all(generations.map((g) => g.handle.close()));
    }
  }

  /**
   * Same inode, but smaller or with other bytes before the offset: truncated in place (and perhaps
   * written past the old offset already), or a new file that reused the inode number. With
   * copy-then-truncate rotation the old content is now in `x.log.1`; it is read from the old offset
   * only when the bytes just before that offset match what was read last, so a stray older `.1` is
   * never counted again.
   */
  async #drainTruncated(position: Position, pass: Pass): Promise<boolean> {
    const path = `${this.#file}.1`;
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle !== undefined) {
      try {
        const { ino, size } = await handle.stat();
        if (size >= position.offset && (await endsWith(handle, position.offset, position.tail))) {
          this.#position = { ino, offset: position.offset, tail: position.tail };
          await this.#readRange(handle, size, pass, true);
          return !pass.aborted;
        }
      } finally {
        await handle.close();
      }
    }
    pass.errors.push(
      `${this.#file} was truncated or replaced, and ${path} is not a copy of what was read; ` +
        'lines written to it after the previous read were not counted',
    );
    this.#resetLine();
    return true;
  }

  /**
   * Reads from the position to `size` in chunks, advancing the position after each chunk so an
   * abort between chunks loses nothing. A rotated file has no more writers, so its last line counts
   * even without a trailing newline; the live file's incomplete line waits for the next call.
   */
  async #readRange(handle: FileHandle, size: number, pass: Pass, final: boolean): Promise<void> {
    const position = this.#position!;
    const buffer = Buffer.alloc(Math.min(this.#chunkBytes, Math.max(1, size - position.offset)));
    while (position.offset < size) {
      if (pass.signal?.aborted === true) {
        pass.aborted = true;
        if (!pass.errors.includes('aborted')) pass.errors.push('aborted');
        return;
      }
      const want = Math.min(buffer.length, size - position.offset);
      const { bytesRead } = await handle.read(buffer, 0, want, position.offset);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      this.#split(chunk, pass);
      position.offset += bytesRead;
      position.tail = fingerprint(position.tail, chunk);
    }
    if (final) this.#flushLine(pass, false);
  }

  #split(chunk: Buffer, pass: Pass): void {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, from);
      const piece = chunk.subarray(from, newline < 0 ? chunk.length : newline);
      if (!this.#skippingLine) {
        if (this.#partialBytes + piece.length > this.#maxLineBytes) {
          this.#skippingLine = true;
          this.#partial = [];
          this.#partialBytes = 0;
        } else if (piece.length > 0) {
          // Copied: the read buffer is reused.
          this.#partial.push(Buffer.from(piece));
          this.#partialBytes += piece.length;
        }
      }
      if (newline < 0) return;
      this.#flushLine(pass, true);
      from = newline + 1;
    }
  }

  /**
   * Ends the current line: at a newline (`atNewline`, even an empty line is a line), or at the end
   * of a rotated file (only if something is pending).
   */
  #flushLine(pass: Pass, atNewline: boolean): void {
    if (!atNewline && !this.#skippingLine && this.#partialBytes === 0) return;
    pass.scanned += 1;
    if (!this.#skippingLine) {
      // Decoded per whole line: a newline byte never occurs inside a multi-byte UTF-8 character.
      const entry = parseLine(Buffer.concat(this.#partial, this.#partialBytes).toString('utf8'));
      if (entry !== undefined) this.#place(entry, pass);
    }
    this.#resetLine();
  }

  #resetLine(): void {
    this.#partial = [];
    this.#partialBytes = 0;
    this.#skippingLine = false;
  }

  /**
   * Counts an entry inside the window, keeps one after it for a later call, drops one before it,
   * except a late one: a line is stamped before the server writes it, so a line dated inside the
   * previous call's window can reach the file only after that call read it. Every line is read once,
   * so counting it now cannot count it twice, and dropping it would lose it.
   */
  #place(entry: TimedEntry, pass: Pass): void {
    const time = entry.time.getTime();
    const late =
      pass.previous !== undefined && time >= pass.previous.start && time < pass.previous.end;
    if (time < pass.start && !late) return;
    if (time < pass.end) {
      pass.counter.add(entry);
      return;
    }
    if (this.#heldChars + entry.message.length > HELD_MAX_CHARS) {
      const note = 'too many lines dated after the window to keep; some were dropped';
      if (!pass.errors.includes(note)) pass.errors.push(note);
      return;
    }
    this.#held.push(entry);
    this.#heldChars += entry.message.length;
  }
}

/** True when the bytes of `handle` just before `offset` are `tail` (the bytes read there last). */
async function endsWith(handle: FileHandle, offset: number, tail: Buffer): Promise<boolean> {
  if (tail.length === 0) return true;
  const actual = Buffer.alloc(tail.length);
  const { bytesRead } = await handle.read(actual, 0, tail.length, offset - tail.length);
  return bytesRead === tail.length && actual.equals(tail);
}

/** The last FINGERPRINT_BYTES of `previous` followed by `chunk`, copied (read buffers are reused). */
function fingerprint(previous: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= FINGERPRINT_BYTES) return Buffer.from(chunk.subarray(-FINGERPRINT_BYTES));
  return Buffer.from(Buffer.concat([previous, chunk]).subarray(-FINGERPRINT_BYTES));
}

/** The end of a file now, or undefined when it does not exist. */
function endOf(file: string): Position | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { ino, size } = fstatSync(fd);
    // The bytes before the offset identify this content if the file is later copied and truncated.
    const tail = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return { ino, offset: size, tail };
  } finally {
    closeSync(fd);
  }
}

/**
 * One Temporal JSON log line as a counted entry, or undefined when the line is not JSON (the dev
 * server prints a plain-text banner), has no usable time, or is below WARN.
 */
function parseLine(line: string): TimedEntry | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const level = str(record.level)?.toUpperCase();
  if (level === undefined || !COUNTED_LEVELS.has(level === 'WARNING' ? 'WARN' : level)) {
    return undefined;
  }
  const rawTime = str(record.time);
  const time = rawTime === undefined ? Number.NaN : Date.parse(rawTime);
  if (Number.isNaN(time)) return undefined;
  const msg = str(record.msg) ?? '';
  const error = str(record.error);
  return {
    message: error === undefined ? msg : `${msg} ${error}`,
    service: str(record.service) ?? str(record.component) ?? 'unknown',
    time: new Date(time),
  };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  // Some loggers write errors as objects; their message is what a pattern would match.
  if (typeof value === 'object' && value !== null && 'message' in value) return str(value.message);
  return undefined;
}
