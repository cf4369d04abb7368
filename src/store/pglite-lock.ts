import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

import { ErrorCode, HeadwayError } from '../errors.js';
import { identify, isRunning, type ProcessIdentity } from '../os/process-identity.js';

/**
 * PGlite is an embedded database: two processes that open one directory both write to it and
 * diverge (or corrupt its files). A lock file beside the directory names the process that holds
 * it; a second open fails with that name, and a lock whose holder is gone is taken over.
 */
export interface StoreLock {
  readonly path: string;
  release(): void;
}

interface LockRecord extends ProcessIdentity {
  readonly command: string;
  readonly acquired_at: string;
}

export function lockPathFor(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.lock`;
}

function readRecord(path: string): LockRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      start_time: typeof parsed.start_time === 'number' ? parsed.start_time : null,
      command: typeof parsed.command === 'string' ? parsed.command : 'unknown',
      acquired_at: typeof parsed.acquired_at === 'string' ? parsed.acquired_at : 'unknown',
    };
  } catch {
    // Unreadable or half-written (its writer died mid-write): nobody provably holds it.
    return null;
  }
}

function tryCreate(path: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the lock of a PGlite directory for this process, or throws STORE_LOCKED naming its holder. */
export function acquireStoreLock(dataDir: string): StoreLock {
  const path = lockPathFor(dataDir);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new HeadwayError(ErrorCode.StateDirInvalid, 'cannot open the assessment store', {
      hint: `check that ${dataDir} is a writable directory holding a PGlite database`,
      cause: err,
    });
  }
  const mine: LockRecord = {
    ...identify(process.pid),
    // The command name only (argv[2] is the subcommand): never flags, which may carry secrets.
    command: ['headway', process.argv[2], process.argv[3]]
      .filter((a) => a !== undefined && !a.startsWith('-'))
      .join(' '),
    acquired_at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, mine)) {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        const holder = readRecord(path);
        if (holder?.pid === mine.pid && holder.start_time === mine.start_time)
          rmSync(path, { force: true });
      };
      process.on('exit', release);
      return { path, release };
    }
    const holder = readRecord(path);
    if (holder !== null && isRunning(holder)) {
      throw new HeadwayError(
        ErrorCode.StoreLocked,
        `the assessment store ${dataDir} is open in another process: pid ${holder.pid} (${holder.command}, since ${holder.acquired_at})`,
        {
          hint: `stop that process first (\`headway down\`, or end pid ${holder.pid}), or give this one its own store.pglite_dir`,
        },
      );
    }
    // Its holder is gone (or the record is unreadable): take the lock over.
    rmSync(path, { force: true });
  }
  throw new HeadwayError(ErrorCode.StoreLocked, `could not take the store lock ${path}`, {
    hint: 'another process took it at the same moment; try again',
  });
}

/**
 * Removes the lock of `dataDir` when its holder is gone (a holder killed by a signal cannot remove
 * it). A lock whose holder still runs is kept. Returns whether a lock was removed.
 */
export function clearStaleStoreLock(dataDir: string): boolean {
  const path = lockPathFor(dataDir);
  if (!existsSync(path)) return false;
  const holder = readRecord(path);
  if (holder !== null && isRunning(holder)) return false;
  rmSync(path, { force: true });
  return true;
}
