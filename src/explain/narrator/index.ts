/**
 * The narrator: the default explainer. It tells what the rules decided as a short story in which
 * the services are actors, ranks the reasons, proposes actions and says what to watch next.
 *
 * Pure and deterministic: no clock, no I/O, no randomness; the same input gives the same text.
 * It never re-decides anything. The state is copied from the evaluation, problems are named only
 * when a gate fired (or, off the gates, at a severity the state allows), and an unknown state gets
 * only data-restoring advice. Log lines are untrusted: they are quoted, sanitized and bounded, and
 * never choose a cause, a severity or an action.
 *
 * The rooms: `context` (what every part reads), `causes/` (the cause table and each gate's route
 * through it), `findings` and `off-gate` (what becomes an issue), `advice` (citations and actions),
 * `issues` and `logs`, `summary`, `services` (the actors), `factors`, `outlook` (watch next),
 * `unknown`, and `fields` (every signal field it reads).
 */

export type { NarrateInput } from './context.js';
export { GATE_STORIES, type GateStory } from './gate-stories.js';
export { narrate } from './narrate.js';
export { DATA_RESTORING_TARGETS } from './unknown.js';
