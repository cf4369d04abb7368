import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * An append-only log file that rotates by size (`x.log` → `x.log.1` → … → dropped). Writes are
 * synchronous and whole lines, so a crash of the supervisor never loses or splits a line that was
 * already handed to it.
 */
export class RotatingLog {
  readonly #file: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #fd: number;
  #size: number;
  #closed = false;

  constructor(file: string, options: { maxBytes?: number; keep?: number } = {}) {
    this.#file = file;
    this.#maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
    this.#keep = options.keep ?? 3;
    this.#fd = openSync(file, 'a');
    this.#size = fstatSync(this.#fd).size;
  }

  writeLine(line: string): void {
    if (this.#closed) return;
    const bytes = Buffer.from(`${line}\n`);
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) this.#rotate();
    writeSync(this.#fd, bytes);
    this.#size += bytes.length;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #rotate(): void {
    closeSync(this.#fd);
    rmSync(`${this.#file}.${this.#keep}`, { force: true });
    for (let i = this.#keep - 1; i >= 1; i -= 1) {
      if (existsSync(`${this.#file}.${i}`))
        renameSync(`${this.#file}.${i}`, `${this.#file}.${i + 1}`);
    }
    renameSync(this.#file, `${this.#file}.1`);
    this.#fd = openSync(this.#file, 'a');
    this.#size = 0;
  }
}
