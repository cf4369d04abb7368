import type { HealthState } from '../../health/types.js';
import type { IssueSeverity } from '../../model/records.js';

import type { Cause } from './causes/cause.js';

/** What becomes an issue: a fired gate, a state between thresholds, or a problem off the gates. */
export interface Finding {
  readonly key: string;
  readonly severity: IssueSeverity;
  readonly service: string;
  readonly title: string;
  readonly description: string;
  readonly cause: Cause | null;
  readonly metrics: readonly string[];
  /** Higher first. */
  readonly rank: number;
}

/** An issue's severity never exceeds the state: happy allows info, stressed and unknown warning. */
export function severityFor(state: HealthState, wanted: IssueSeverity): IssueSeverity {
  if (state === 'happy') return 'info';
  if (state === 'critical') return wanted;
  return wanted === 'critical' ? 'warning' : wanted;
}
