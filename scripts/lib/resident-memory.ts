// Hand-written: no maintained library reads /proc/<pid>/smaps, and the kinds are this project's.
import { readFileSync } from 'node:fs';

/** Resident memory of a process by kind, MiB. */
export interface ResidentKinds {
  /** WebAssembly memories (PGlite's PostgreSQL): never given back once grown. */
  readonly wasm: number;
  /** Mapped files: Node's and the Temporal core's code, the libraries. Clean, shared pages. */
  readonly files: number;
  /** Everything else: V8's heap, malloc, thread stacks, compiled code. */
  readonly anonymous: number;
}

interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly path: string;
  rssKb: number;
}

/** A WebAssembly memory is a writable mapping followed by V8's guard reservation of gigabytes. */
const WASM_GUARD_BYTES = 2n ** 30n;

/** Reads /proc/<pid>/smaps and sums each mapping's Rss by kind. */
export function residentByKind(pid: number): ResidentKinds {
  const maps: Mapping[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      maps.push({
        start: BigInt(`0x${head[1]!}`),
        end: BigInt(`0x${head[2]!}`),
        perms: head[3]!,
        path: head[4]!,
        rssKb: 0,
      });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const last = maps.at(-1);
    if (rss !== null && last !== undefined) last.rssKb = Number(rss[1]);
  }
  const kb = { wasm: 0, files: 0, anonymous: 0 };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    if (m.path.startsWith('/')) kb.files += m.rssKb;
    else if (
      m.path === '' &&
      m.perms.startsWith('rw') &&
      next?.start === m.end &&
      next.perms === '---p' &&
      next.end - next.start > WASM_GUARD_BYTES
    ) {
      kb.wasm += m.rssKb;
    } else kb.anonymous += m.rssKb;
  });
  return { wasm: kb.wasm / 1024, files: kb.files / 1024, anonymous: kb.anonymous / 1024 };
}
