// Plain JavaScript: bin/headway.js reads this before it knows the Node version or whether dist/
// is built (so it must run on Node 20). The one account of what a command needs at process start:
// find-max passes it to its workers, the stack to its copilot child, the deploy renders to their
// containers' command lines.

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
 * The copilot's Node flags, all for memory (docs/bench.md, "Copilot memory"): compile PGlite's
 * WebAssembly once with the baseline compiler and not again optimised (70 MB less; the store's
 * few queries a cycle do not need faster code), let the heap grow less between collections
 * (some 10 MiB less; the copilot is idle between cycles), and a small young generation (it
 * allocates little per cycle). Node refuses the first two in NODE_OPTIONS: they go on the
 * command line.
 */
export const COPILOT_NODE_FLAGS = [
  '--liftoff-only',
  '--optimize-for-size',
  '--max-semi-space-size=2',
];

/** glibc's malloc arenas for the copilot: two keep ~15 MB less resident (it allocates little). */
export const COPILOT_MALLOC_ARENAS = '2';

/**
 * What `headway <args>` needs at process start (V8 and glibc read these only then): for
 * `bench run` and `bench find-max`, the semi-space flag, the malloc arena count and the core's
 * Tokio worker threads; for `copilot run`, its memory flags and arena count. A flag is left out
 * when NODE_OPTIONS already names it, a variable when the environment sets it. Empty for every
 * other command and for `--help`.
 * @param {readonly string[]} args the command line after `headway`
 * @param {Record<string, string | undefined>} env
 * @returns {{ flags: string[], env: Record<string, string> }}
 */
export function nodeSettingsFor(args, env) {
  if (args.includes('--help') || args.includes('-h')) return { flags: [], env: {} };
  if (args[0] === 'bench' && (args[1] === 'run' || args[1] === 'find-max')) {
    return unlessSet(env, [`--max-semi-space-size=${BENCH_SEMI_SPACE_MB}`], {
      MALLOC_ARENA_MAX: BENCH_MALLOC_ARENAS,
      TOKIO_WORKER_THREADS: BENCH_TOKIO_WORKER_THREADS,
    });
  }
  if (args[0] === 'copilot' && args[1] === 'run') {
    return unlessSet(env, COPILOT_NODE_FLAGS, { MALLOC_ARENA_MAX: COPILOT_MALLOC_ARENAS });
  }
  return { flags: [], env: {} };
}

/**
 * The settings the environment does not already give: a flag whose name NODE_OPTIONS holds, or a
 * variable it sets, is the user's.
 * @param {Record<string, string | undefined>} env
 * @param {readonly string[]} flags
 * @param {Record<string, string>} vars
 * @returns {{ flags: string[], env: Record<string, string> }}
 */
function unlessSet(env, flags, vars) {
  const options = env.NODE_OPTIONS ?? '';
  return {
    flags: flags.filter((flag) => !options.includes(flag.split('=')[0])),
    env: Object.fromEntries(Object.entries(vars).filter(([name]) => env[name] === undefined)),
  };
}
