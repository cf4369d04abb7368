import type { CauseEntry } from './cause.js';

/** Causes in the frontend, when persistence is not the one to blame. */
export const FRONTEND_CAUSES = {
  frontend: {
    service: 'frontend',
    runbook: 'persistence-latency.md',
    query: 'frontend latency high too',
    text: () =>
      'the frontend or the services behind it are slow while persistence answers normally',
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'frontend',
        description:
          "Check frontend latency by operation (visibility queries are the usual suspects) and the frontend's CPU",
        confidence: 0.45,
        risk_level: 'low',
      },
    ],
  },
  /** Off the gates: clients see errors. */
  frontend_errors: {
    service: 'frontend',
    runbook: '',
    query: 'frontend errors',
    text: () =>
      'the frontend fails requests itself or passes on failures of the services behind it',
    actions: () => [
      {
        action_type: 'investigate',
        target_service: 'frontend',
        description:
          'Check service_errors by operation on the frontend and the logs of the services behind it',
        confidence: 0.45,
        risk_level: 'low',
      },
    ],
  },
} satisfies Record<string, CauseEntry>;
