// Plain JavaScript: bin/headway.js reads this before it knows the Node version or whether dist/
// is built (so it must run on Node 20), and find-max passes the same flags to its worker processes.

/**
 * The bench's V8 old-space cap, MB. V8 lets a heap grow to several times what it keeps alive
 * before collecting: a bench run at 50/s with 4 in-process workers keeps ~80 MB alive but its
 * RSS climbed to 400+ MB; with this cap it stays near 230 MB at the same CPU (docs/bench.md).
 */
export const BENCH_HEAP_MB = 192;

/** Env override: a whole number of MB, or 0 for V8's default. */
export const BENCH_HEAP_ENV = 'HEADWAY_BENCH_HEAP_MB';

/**
 * Node flags `headway <args>` needs at process start (V8 reads heap limits only then): the heap
 * cap for `bench run` and `bench find-max`, unless NODE_OPTIONS sets one. Throws on a bad
 * HEADWAY_BENCH_HEAP_MB.
 * @param {readonly string[]} args the command line after `headway`
 * @param {Record<string, string | undefined>} env
 * @returns {string[]}
 */
export function nodeFlagsFor(args, env) {
  if (args[0] !== 'bench' || (args[1] !== 'run' && args[1] !== 'find-max')) return [];
  if (args.includes('--help') || args.includes('-h')) return [];
  const raw = env[BENCH_HEAP_ENV];
  const mb = raw === undefined || raw.trim() === '' ? BENCH_HEAP_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || (mb > 0 && mb < 64)) {
    throw new Error(
      `${BENCH_HEAP_ENV} must be a whole number of MB, at least 64 (0: V8's default), got '${raw}'`,
    );
  }
  if (mb === 0 || (env.NODE_OPTIONS ?? '').includes('--max-old-space-size')) return [];
  return [`--max-old-space-size=${mb}`];
}
