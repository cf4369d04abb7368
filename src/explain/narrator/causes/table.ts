import type { Context } from '../context.js';

import type { Cause, CauseEntry } from './cause.js';
import { FRONTEND_CAUSES } from './frontend.js';
import { HISTORY_CAUSES } from './history.js';
import { PART_CAUSES } from './parts.js';
import { PERSISTENCE_CAUSES } from './persistence.js';
import { POLLER_CAUSES } from './pollers.js';
import { WORKER_CAUSES } from './workers.js';

/** Every cause the narrator can name, one row each (see `CauseEntry`). */
export const CAUSES = {
  ...PERSISTENCE_CAUSES,
  ...HISTORY_CAUSES,
  ...WORKER_CAUSES,
  ...POLLER_CAUSES,
  ...FRONTEND_CAUSES,
  ...PART_CAUSES,
} satisfies Record<string, CauseEntry>;

export type CauseName = keyof typeof CAUSES;

/** A cause as this explanation tells it. */
export function tell(name: CauseName, c: Context): Cause {
  const entry: CauseEntry = CAUSES[name];
  return {
    key: entry.key ?? name,
    service: entry.service,
    text: entry.text(c),
    runbook: entry.runbook,
    query: entry.query,
    actions: entry.actions(c),
  };
}
