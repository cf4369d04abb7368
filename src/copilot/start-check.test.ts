import proto, { type temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';

import { nondeterminismFailure, stuckRunsError } from './start-check.js';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;

// Events in the shape of a history read newest first (getWorkflowExecutionHistoryReverse).
const completed = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED };
const started = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED };
const failed = (cause: temporal.api.enums.v1.WorkflowTaskFailedCause) => ({
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  workflowTaskFailedEventAttributes: {
    cause,
    failure: { message: '[TMPRL1100] Nondeterminism error: Child workflow machine …' },
  },
});
const NONDET = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

describe('nondeterminismFailure', () => {
  it('finds a run whose latest workflow task failed on nondeterminism', () => {
    expect(nondeterminismFailure([failed(NONDET), started, completed])).toMatch(/TMPRL1100/);
  });

  it('lets a run pass whose task completed after an earlier failure', () => {
    expect(nondeterminismFailure([completed, started, failed(NONDET)])).toBeUndefined();
  });

  it('ignores failures of other causes and healthy histories', () => {
    const other =
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE;
    expect(nondeterminismFailure([failed(other)])).toBeUndefined();
    expect(nondeterminismFailure([completed, started])).toBeUndefined();
    expect(nondeterminismFailure([])).toBeUndefined();
  });
});

describe('stuckRunsError', () => {
  it('names each stuck workflow and how to reset it', () => {
    const err = stuckRunsError(
      [{ workflowId: 'headway-observe-local', runId: 'r1', failure: 'Nondeterminism error' }],
      { address: '127.0.0.1:7233', namespace: 'default' },
    );
    expect(err.message).toContain('headway-observe-local is stuck');
    expect(err.details.join('\n')).toContain(
      'temporal workflow reset --address 127.0.0.1:7233 --namespace default --workflow-id headway-observe-local --type LastContinuedAsNew',
    );
    expect(err.hint).toContain('headway copilot start');
  });
});
