// Plain JavaScript: bin/headway.js reads this before it knows the Node version or whether dist/
// is built (so it must run on Node 20), and find-max passes the same settings to its workers.

/**
 * The bench's young-generation semi-space, MB (V8's default grows it to 16). With 4 in-process
 * workers at 50/s the young generation made most of V8's committed heap: 190 MB committed for
 * 60–100 MB in use. At 4 MB the whole process peaked at 243 MB instead of 330–370 MB, at the
 * same CPU (docs/bench.md, "Memory"). Unlike an old-space cap it cannot end a run in an
 * out-of-memory crash (a 192 MB cap did, on an overloaded multi-activity run).
 */
export const BENCH_SEMI_SPACE_MB = 4;

/**
 * glibc's malloc arenas for the bench process: one per allocating thread by default (the Temporal
 * core's Tokio threads, libuv's, V8's), each keeping its own freed memory. Two saved 20–30 MB.
 */
export const BENCH_MALLOC_ARENAS = '2';

/**
 * Worker threads of the Temporal core's Tokio runtime in the bench process (its default: one per
 * CPU). A quarter of those threads' time went to parking and waking each other; with one, 9
 * alternated rounds at 50/s with 4 workers cost less CPU per 1,000 starts (docs/bench.md,
 * "Sixteenth round"). At 50/s the core's threads use under a tenth of a core, so one is not a limit.
 */
export const BENCH_TOKIO_WORKER_THREADS = '1';

/** What Tokio names its runtime's worker threads (Linux keeps 15 characters of a name). */
export const TOKIO_WORKER_THREAD_NAME = 'tokio-runtime-w';

/**
 * What `headway <args>` needs at process start (V8 and glibc read these only then): for
 * `bench run` and `bench find-max`, the semi-space flag (unless NODE_OPTIONS sets one), the malloc
 * arena count and the core's Tokio worker threads (each unless the environment sets it). Empty for
 * every other command.
 * @param {readonly string[]} args the command line after `headway`
 * @param {Record<string, string | undefined>} env
 * @returns {{ flags: string[], env: Record<string, string> }}
 */
export function nodeSettingsFor(args, env) {
  const none = { flags: [], env: {} };
  if (args[0] !== 'bench' || (args[1] !== 'run' && args[1] !== 'find-max')) return none;
  if (args.includes('--help') || args.includes('-h')) return none;
  return {
    flags: (env.NODE_OPTIONS ?? '').includes('--max-semi-space-size')
      ? []
      : [`--max-semi-space-size=${BENCH_SEMI_SPACE_MB}`],
    env: {
      ...(env.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: BENCH_MALLOC_ARENAS } : {}),
      ...(env.TOKIO_WORKER_THREADS === undefined
        ? { TOKIO_WORKER_THREADS: BENCH_TOKIO_WORKER_THREADS }
        : {}),
    },
  };
}
