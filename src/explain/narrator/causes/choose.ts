import type { Gate } from '../../../health/types.js';
import type { Context } from '../context.js';

import type { Cause, CauseEntry } from './cause.js';
import { CAUSES, tell, type CauseName } from './table.js';

/**
 * Which cause explains a fired gate, from metrics only: each gate has a route of candidate causes,
 * asked in order by their evidence (`detect`); a guarded step branches into another route.
 */

type Step = CauseName | { readonly when: (c: Context, g: Gate) => boolean; readonly route: Route };

interface Route {
  readonly ask: readonly Step[];
  /** Taken when no step before it holds. */
  readonly otherwise: CauseName;
}

const PERSISTENCE: Route = {
  ask: ['pool', 'occ', 'throttled', 'retention'],
  otherwise: 'database',
};

// A pool whose every connection is in use with nothing completing is a database that stopped
// answering (frozen, locked), even before a request times out into an error.
const persistenceTrouble = (c: Context): boolean =>
  c.e.persistenceSlow || c.e.persistenceFailing || c.e.persistenceErring || c.e.poolSaturated;

/** A stalled history whose tasks wait in matching for workers that are absent or full. */
const waitsOnWorkers = (c: Context, g: Gate): boolean =>
  (g.id === 'critical.throughput' || g.id === 'critical.history_processing') &&
  c.e.matchingWaiting &&
  (c.e.noPollers || c.e.slotsExhausted || !c.e.workerMetrics);

/** History's own gates: throughput, processing, backlog, transition latency (and any other). */
const HISTORY: Route = {
  ask: [
    { when: persistenceTrouble, route: PERSISTENCE },
    'shards',
    'retention',
    { when: waitsOnWorkers, route: { ask: [], otherwise: 'workers_absent' } },
    'history_capacity',
    'history_slow',
  ],
  otherwise: 'history_stalled',
};

/** Tasks reach matching faster than workers take them: absent workers, or too few. */
const DISPATCH: Route = {
  // Matching keeps its task queues in the database: when persistence fails, dispatch stalls with
  // every worker idle (the connections-exhausted scenario named the workers until this).
  ask: [{ when: persistenceTrouble, route: PERSISTENCE }, 'workers_absent', 'dispatch_slots_full'],
  otherwise: 'dispatch_short',
};

const ROUTES: Readonly<Record<string, Route>> = {
  'critical.persistence_errors': PERSISTENCE,
  'stressed.persistence_latency': PERSISTENCE,
  'stressed.persistence_errors': PERSISTENCE,
  'stressed.shard_churn': { ask: [], otherwise: 'shards' },
  'stressed.poller_timeouts': {
    ask: ['wrong_queue', 'too_many_pollers'],
    otherwise: 'idle_pollers',
  },
  'critical.matching_dispatch': DISPATCH,
  'stressed.matching_dispatch': DISPATCH,
  'stressed.server_restarts': { ask: [], otherwise: 'server_restart' },
  'critical.service_down': {
    ask: ['matching_down', 'history_down', 'frontend_down', 'worker_down'],
    otherwise: 'service_down',
  },
  'stressed.instance_down': { ask: [], otherwise: 'instance_down' },
  'critical.completion_rate': { ask: [], otherwise: 'workflow_failures' },
  'stressed.frontend_latency': {
    ask: [{ when: persistenceTrouble, route: PERSISTENCE }],
    otherwise: 'frontend',
  },
};

function follow(route: Route, c: Context, g: Gate): CauseName {
  for (const step of route.ask) {
    if (typeof step !== 'string') {
      if (step.when(c, g)) return follow(step.route, c, g);
      continue;
    }
    const entry: CauseEntry = CAUSES[step];
    if (entry.detect?.(c, g) === true) return step;
  }
  return route.otherwise;
}

/** The cause of one fired gate. */
export function causeOf(c: Context, g: Gate): Cause {
  return tell(follow(ROUTES[g.id] ?? HISTORY, c, g), c);
}
