import { log, proxyActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';

import { FailureType } from '../../model/failures.js';
import type { CopilotActivities } from '../activities/index.js';
import type { AssessInput, AssessResult } from '../types.js';

const retry = {
  maximumAttempts: 5,
  initialInterval: '500ms',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  nonRetryableErrorTypes: [FailureType.ConfigInvalid],
} satisfies RetryPolicy;

const { explain, saveAssessment } = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '20s',
  retry,
});

// One attempt: a retry would spend the LLM budget again, and the narrator's account is there.
// Two model calls (dispatcher, researcher), each bounded by explain.timeout_s.
const { refineWithLlm } = proxyActivities<CopilotActivities>({
  startToCloseTimeout: '150s',
  retry: { maximumAttempts: 1 },
});

/**
 * Explains one evaluation and stores it with its issues. The state is the caller's (the observe
 * workflow's) and is never re-decided here; the explainer only says why. The assessment id comes
 * from the caller, so a save retried after a crash stores it once.
 */
export async function assessHealthWorkflow(input: AssessInput): Promise<AssessResult> {
  const narrated = await explain(input);
  let draft = narrated;
  try {
    draft = (await refineWithLlm({ assess: input, draft: narrated })).explanation;
  } catch (err) {
    log.warn('LLM pass failed; the narrator stands', {
      error: err instanceof Error ? err.message : String(err),
    });
  }
  // The explainer must not change the state; if it ever does, the rules win.
  const safe =
    draft.health_state === input.evaluation.health_state
      ? draft
      : { ...draft, health_state: input.evaluation.health_state };
  try {
    await saveAssessment({
      id: input.assessment_id,
      at: new Date(workflowInfo().startTime).toISOString(),
      trigger: input.trigger,
      draft: safe,
      metrics_snapshot: {
        primary_signals: input.signals.primary_signals,
        amplifiers: input.signals.amplifiers ?? {},
        worker_signals: input.signals.worker_signals ?? {},
        log_patterns: input.log_patterns,
        fired_gates: input.evaluation.fired_gates,
        scale_band: input.evaluation.scale_band,
        is_idle: input.evaluation.is_idle,
      },
    });
    return {
      assessment_id: input.assessment_id,
      health_state: safe.health_state,
      stored: true,
      error: null,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.warn('assessment not stored', { error: message });
    return {
      assessment_id: input.assessment_id,
      health_state: safe.health_state,
      stored: false,
      error: message,
    };
  }
}
