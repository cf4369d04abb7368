import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, describe, expect, it } from 'vitest';

import { HeadwayError } from '../errors.js';

import { openStore } from './open.js';
import { acquireStoreLock, clearStaleStoreLock, lockPathFor } from './pglite-lock.js';

const root = mkdtempSync(join(tmpdir(), 'headway-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const config = (dir: string) => ({
  state_dir: root,
  store: { pglite_dir: dir, dsql: {} } as never,
});

describe('one process owns a PGlite store', () => {
  it('a second open of a live store fails naming the holder, and close releases it', async () => {
    const dir = join(root, 'store-a');
    const first = await openStore(config(dir));
    const second = openStore(config(dir));
    await expect(second).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
    await first.close();
    expect(existsSync(lockPathFor(dir))).toBe(false);
    const again = await openStore(config(dir));
    await again.close();
  });

  it('a lock held by another live process is refused; once that process is gone it is taken over', async () => {
    const dir = join(root, 'store-b');
    const module = new URL('./pglite-lock.ts', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(module)}).then((m) => { m.acquireStoreLock(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    expect(line).toBe('held');
    let error: unknown;
    try {
      acquireStoreLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HeadwayError);
    expect((error as HeadwayError).code).toBe('STORE_LOCKED');
    expect((error as HeadwayError).message).toContain(`pid ${child.pid}`);
    // SIGKILL: the holder cannot clean up, so its lock file stays behind.
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(existsSync(lockPathFor(dir))).toBe(true);
    const lock = acquireStoreLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('an unreadable lock file is taken over', () => {
    const dir = join(root, 'store-c');
    writeFileSync(lockPathFor(dir), '{"pid":');
    const lock = acquireStoreLock(dir);
    lock.release();
    expect(existsSync(lockPathFor(dir))).toBe(false);
  });

  it('clearStaleStoreLock removes a lock whose holder is gone, and keeps a live one', () => {
    const dir = join(root, 'store-d');
    const lock = acquireStoreLock(dir);
    expect(clearStaleStoreLock(dir)).toBe(false);
    expect(existsSync(lock.path)).toBe(true);
    lock.release();
    writeFileSync(lockPathFor(dir), JSON.stringify({ pid: deadPid(), start_time: 1 }));
    expect(clearStaleStoreLock(dir)).toBe(true);
    expect(existsSync(lockPathFor(dir))).toBe(false);
  });
});

function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}
