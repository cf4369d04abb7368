import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** The last `count` lines of a file (reads backwards in blocks; never the whole file). */
export async function tailLines(file: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const block = 64 * 1024;
    let position = size;
    // Raw bytes, decoded once at the end: a block boundary may split a multi-byte character.
    const chunks: Buffer[] = [];
    let newlines = 0;
    while (position > 0 && newlines <= count) {
      const length = Math.min(block, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      chunks.unshift(buffer);
      for (const byte of buffer) if (byte === 0x0a) newlines += 1;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

/**
 * Follows files like `tail -F`: new lines as they are written, across rotation (the file is
 * replaced or shrinks) and files that do not exist yet. Runs until the signal aborts.
 */
export async function followFiles(
  files: readonly { readonly name: string; readonly file: string }[],
  onLine: (name: string, line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const positions = new Map<string, { ino: number; offset: number; partial: string }>();
  for (const { file } of files) {
    const s = await stat(file).catch(() => undefined);
    positions.set(file, { ino: s?.ino ?? -1, offset: s?.size ?? 0, partial: '' });
  }
  while (!signal.aborted) {
    for (const { name, file } of files) {
      const s = await stat(file).catch(() => undefined);
      if (s === undefined) continue;
      const position = positions.get(file) ?? { ino: s.ino, offset: 0, partial: '' };
      if (s.ino !== position.ino || s.size < position.offset) {
        position.ino = s.ino;
        position.offset = 0;
        position.partial = '';
      }
      if (s.size > position.offset) {
        const handle = await open(file, 'r');
        try {
          const buffer = Buffer.alloc(s.size - position.offset);
          await handle.read(buffer, 0, buffer.length, position.offset);
          position.offset = s.size;
          const lines = (position.partial + buffer.toString('utf8')).split('\n');
          position.partial = lines.pop() ?? '';
          for (const line of lines) onLine(name, line);
        } finally {
          await handle.close();
        }
      }
      positions.set(file, position);
    }
    await delay(250, undefined, { signal }).catch(() => undefined);
  }
}
