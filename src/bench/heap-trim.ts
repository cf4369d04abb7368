// Hand-written: V8 has no runtime setting for how far a heap may grow past what it keeps alive,
// and a start-up cap (--max-old-space-size) turned an overloaded run into an out-of-memory crash.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => unknown;

export interface HeapTrim {
  /** Collections this trim asked for. */
  readonly collections: () => number;
  readonly stop: () => void;
}

/**
 * Asks V8 for a full collection whenever the heap in use has grown `slackBytes` (or half again,
 * whichever is more) past what was alive after the last one, and past `floorBytes`. V8 left
 * alone let the old space of the bench fill with objects that had outlived a small young
 * generation (docs/bench.md, "Memory"). No limit: a bench whose live heap grows (an overloaded
 * cluster, workflows piling up) only collects less often. The collection runs concurrently
 * (`execution: 'async'`), so the event loop, which times the starts, sees no long pause.
 */
export function startHeapTrim(
  options: { intervalMs?: number; floorBytes?: number; slackBytes?: number } = {},
): HeapTrim {
  const intervalMs = options.intervalMs ?? 1_000;
  const floorBytes = options.floorBytes ?? 96 * 2 ** 20;
  const slackBytes = options.slackBytes ?? 48 * 2 ** 20;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as Gc;
  let alive = getHeapStatistics().used_heap_size;
  let collections = 0;
  let pending = false;
  const timer = setInterval(() => {
    const used = getHeapStatistics().used_heap_size;
    if (pending) {
      // The previous collection has had an interval to finish: what is left is what was alive.
      alive = used;
      pending = false;
      return;
    }
    if (used < Math.max(floorBytes, alive + Math.max(slackBytes, alive / 2))) return;
    collections += 1;
    pending = true;
    gc({ type: 'major', execution: 'async' });
  }, intervalMs);
  timer.unref();
  return { collections: () => collections, stop: () => clearInterval(timer) };
}
