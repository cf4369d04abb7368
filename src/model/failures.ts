/**
 * Failure types: the `type` of every ApplicationFailure Headway's activities and workflows throw,
 * and the names their retry policies list as non-retryable. One spelling on both sides of the
 * Temporal boundary (SCREAMING_SNAKE, as `ErrorCode` and the samples' failures already were), so
 * a retry policy never misses a failure over a spelling.
 */
export const FailureType = {
  /** Configuration that will not heal by retrying (the same string as `ErrorCode.ConfigInvalid`). */
  ConfigInvalid: 'CONFIG_INVALID',
  /** A workflow input out of range or malformed: the caller's mistake. */
  InvalidInput: 'INVALID_INPUT',
  /** An alert target could not be reached; retried. */
  AlertFailed: 'ALERT_FAILED',
  /** An alert target refused the message (4xx); retrying will not help. */
  AlertRejected: 'ALERT_REJECTED',
  /** A failure a scenario injects on purpose. */
  ScenarioFault: 'SCENARIO_FAULT',
  // The sample workflows' own failures (docs/samples.md).
  UnknownStep: 'UNKNOWN_STEP',
  StepDidNotStart: 'STEP_DID_NOT_START',
  Transient: 'TRANSIENT',
  Permanent: 'PERMANENT',
  BadValue: 'BAD_VALUE',
  TaskFailed: 'TASK_FAILED',
  SubtaskFailed: 'SUBTASK_FAILED',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
