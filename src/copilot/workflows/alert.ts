import { log, proxyActivities } from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';
import type { CopilotActivities } from '../activities/index.js';
import type { StateChangeEvent } from '../types.js';

/**
 * Tells every configured webhook about one state change. Started by the observe workflow as an
 * abandoned child, so a slow or dead receiver never holds up an observation; each target is
 * retried on its own with backoff, a bounded number of times.
 */
export async function alertWorkflow(event: StateChangeEvent, maxAttempts = 5): Promise<number> {
  const { listAlertTargets } = proxyActivities<CopilotActivities>({
    startToCloseTimeout: '10s',
    retry: { maximumAttempts: 3 },
  });
  const { sendAlert } = proxyActivities<CopilotActivities>({
    startToCloseTimeout: '15s',
    retry: {
      maximumAttempts: maxAttempts,
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [FailureType.ConfigInvalid, FailureType.AlertRejected],
    },
  });
  const targets = await listAlertTargets();
  const results = await Promise.allSettled(
    targets.map((t) => sendAlert({ target: t.name, event })),
  );
  let delivered = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') delivered += 1;
    else log.warn('alert not delivered', { target: targets[i]?.name, error: String(r.reason) });
  });
  return delivered;
}
