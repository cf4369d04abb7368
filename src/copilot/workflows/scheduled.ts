import {
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';
import type { CopilotActivities } from '../activities/index.js';
import { workflowIds, type ScheduledInput } from '../types.js';

import { assessHealthWorkflow } from './assess.js';
import { stopSignal } from './observe.js';

/**
 * Every interval: asks the observe workflow for its CURRENT evaluation (a query, via an activity)
 * and assesses that, unless an assessment is recent. It never re-evaluates from happy: the
 * reference did, so its scheduled assessments could never say critical and contradicted the loop.
 * It also prunes the store to the retention window.
 */
export async function scheduledAssessmentWorkflow(input: ScheduledInput): Promise<void> {
  const { queryObservation, hasAssessmentSince, pruneStore } = proxyActivities<CopilotActivities>({
    startToCloseTimeout: '30s',
    retry: {
      maximumAttempts: 3,
      initialInterval: '1s',
      nonRetryableErrorTypes: [FailureType.ConfigInvalid],
    },
  });
  let stopping = false;
  setHandler(stopSignal, () => {
    stopping = true;
  });
  const ids = workflowIds(input.cluster_id);

  for (let cycle = 0; !stopping; cycle++) {
    await condition(() => stopping, input.interval_s * 1000);
    if (stopping) break;
    const now = Date.now();
    try {
      // 80 % of the interval: a state-change assessment made moments ago is recent enough.
      const since = new Date(now - input.interval_s * 800).toISOString();
      const recent = await hasAssessmentSince({ since });
      const current = recent ? null : await queryObservation({ workflow_id: ids.observe });
      if (current?.evaluation != null && current.signals !== null) {
        const assessmentId = uuid4();
        await startChild(assessHealthWorkflow, {
          workflowId: `headway-assess-${input.cluster_id}-${assessmentId}`,
          args: [
            {
              assessment_id: assessmentId,
              cluster_id: input.cluster_id,
              trigger: 'scheduled',
              evaluation: current.evaluation,
              signals: current.signals,
              window: current.window,
              log_patterns: current.log_patterns,
              ...(input.thresholds === undefined ? {} : { thresholds: input.thresholds }),
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      }
      await pruneStore({ now: new Date(now).toISOString() });
    } catch {
      // Store or query down: try again next interval; the observe loop reports the outage.
    }
    if (cycle + 1 >= input.cycles_per_run || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof scheduledAssessmentWorkflow>(input);
    }
  }
}
