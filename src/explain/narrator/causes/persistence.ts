import { FIELD } from '../../../model/signal-fields.js';

import { num } from '../text.js';

import type { CauseEntry } from './cause.js';

/** Causes that live in persistence: asked in this order, the database itself last. */
export const PERSISTENCE_CAUSES = {
  pool: {
    service: 'persistence',
    runbook: 'persistence-latency.md',
    query: 'persistence connection pool utilization wait',
    detect: (c) => c.e.poolSaturated,
    text: (c) =>
      `the persistence connection pool is saturated (${num(c.v(FIELD.poolUtilization)!)} % in use), so requests queue for a connection before they reach the database`,
    actions: () => [
      {
        action_type: 'configure',
        target_service: 'persistence',
        description:
          "Raise the datastore's maxConns within the database's connection limit, or spread the load over more history hosts",
        confidence: 0.65,
        risk_level: 'medium',
        parameters: { setting: 'persistence.datastores.<name>.sql.maxConns' },
      },
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description:
          'Check the database for slow queries and lock waits in the same minutes (persistence_latency by operation)',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
  occ: {
    service: 'persistence',
    runbook: 'occ-conflicts.md',
    query: 'occ conflicts serialization failure retries hot workflow',
    detect: (c) => c.e.occHigh,
    text: (c) => {
      const { v } = c;
      const occ = Math.max(
        v(FIELD.occConflicts) ?? 0,
        v(FIELD.serializationFailures) ?? 0,
        v(FIELD.casFailures) ?? 0,
      );
      return `optimistic-concurrency conflicts (${num(occ)}/s) force retries as concurrent writes hit the same rows`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description:
          'Find the hot workflows (many signals or child completions aimed at one execution) and check shard ownership; spread the contended writes',
        confidence: 0.55,
        risk_level: 'low',
      },
    ],
  },
  throttled: {
    service: 'persistence',
    runbook: 'persistence-latency.md',
    query: 'persistence rate limits persistenceMaxQPS throttled',
    detect: (c) => c.e.throttled,
    text: (c) => {
      const rejected = Math.max(c.v(FIELD.rateLimitEvents) ?? 0, c.v(FIELD.admissionRejects) ?? 0);
      return `persistence requests are throttled (${num(rejected)}/s rejected by a rate limit)`;
    },
    actions: () => [
      {
        action_type: 'configure',
        target_service: 'persistence',
        description:
          "Give the database more provisioned capacity, or raise Temporal's persistenceMaxQPS only if the database has headroom",
        confidence: 0.55,
        risk_level: 'medium',
      },
    ],
  },
  database: {
    service: 'persistence',
    runbook: 'persistence-latency.md',
    query: 'persistence answers slowly database',
    text: (c) => {
      const p99 = c.v(FIELD.persistenceP99);
      const errors = c.v(FIELD.persistenceErrors);
      return (c.e.persistenceFailing || c.e.persistenceErring) && errors !== null
        ? `the database rejects or times out requests (${num(errors)} errors/s)`
        : `the database is slow to answer (p99 ${p99 === null ? 'unknown' : `${num(p99)} ms`}, stressed above ${num(c.t.stressed.persistence_latency_p99_max_ms)} ms)`;
    },
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'persistence',
        description:
          "Find the slowest persistence operations (persistence_latency by operation) and check the database's CPU, IO and connections; do not scale history against a slow database",
        confidence: 0.6,
        risk_level: 'low',
      },
    ],
  },
} satisfies Record<string, CauseEntry>;
