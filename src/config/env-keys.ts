import { COPILOT_ENV_KEYS } from './copilot.js';
import { EXPLAIN_ENV_KEYS } from './explain.js';
import { ENV_KEYS } from './schema.js';
import { SIGNALS_ENV_KEYS } from './signals.js';
import { TEMPORAL_ENV_KEYS } from './temporal.js';

/** Names the config file; the loader reads it before anything else, so it has no config path. */
export const CONFIG_FILE_ENV = 'HEADWAY_CONFIG';

/** Environment variables of one part of the config, for `headway --help`. */
export interface EnvKeyGroup {
  readonly title: string;
  readonly names: readonly string[];
  /** Where the variables are described. */
  readonly doc?: string;
}

const isStore = (path: readonly string[]): boolean => path[0] === 'store';
const namesOf = (
  table: Readonly<Record<string, readonly string[]>>,
  keep: (path: readonly string[]) => boolean = () => true,
): string[] =>
  Object.entries(table)
    .filter(([, path]) => keep(path))
    .map(([name]) => name);

const sectioned = new Set([
  ...Object.keys(SIGNALS_ENV_KEYS),
  ...Object.keys(COPILOT_ENV_KEYS),
  ...Object.keys(EXPLAIN_ENV_KEYS),
]);

/**
 * Every environment variable Headway reads, grouped, straight from the tables the loader applies
 * (`ENV_KEYS` and its sections, `TEMPORAL_ENV_KEYS`), so the help text cannot drift from them.
 */
export const ENV_KEY_GROUPS: readonly EnvKeyGroup[] = [
  {
    title: 'Environment',
    names: [CONFIG_FILE_ENV, ...Object.keys(ENV_KEYS).filter((name) => !sectioned.has(name))],
  },
  { title: 'Signals', names: namesOf(SIGNALS_ENV_KEYS), doc: 'docs/health-model.md' },
  {
    title: 'Temporal connection for worker, workflow and bench',
    names: namesOf(TEMPORAL_ENV_KEYS),
    doc: 'docs/samples.md',
  },
  {
    title: 'Copilot',
    names: namesOf(COPILOT_ENV_KEYS, (path) => !isStore(path)),
    doc: 'docs/copilot.md',
  },
  { title: 'Store', names: namesOf(COPILOT_ENV_KEYS, isStore), doc: 'docs/store.md' },
  { title: 'Explanations (LLM)', names: namesOf(EXPLAIN_ENV_KEYS), doc: 'docs/llm.md' },
];
