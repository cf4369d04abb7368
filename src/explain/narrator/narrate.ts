import type { Explanation } from '../explanation.js';

import { adviseOn } from './advice.js';
import { buildContext, type NarrateInput } from './context.js';
import { contributingFactors } from './factors.js';
import { findingsOf } from './findings.js';
import { issuesOf } from './issues.js';
import { watchNext } from './outlook.js';
import { serviceStories } from './services.js';
import { summaryOf } from './summary.js';
import { unknownReasons } from './unknown.js';

/**
 * Explains an evaluation as a story. Pure and deterministic; the state is the evaluation's. With a
 * knowledge base, the runbook sections it used are cited and named in the actions.
 */
export function narrate(input: NarrateInput): Explanation {
  const c = buildContext(input);
  const { state } = c;
  const unknown = state === 'unknown' ? unknownReasons(c) : [];
  const findings = findingsOf(c);
  const advice = adviseOn(state, input.kb, findings, unknown);
  const { issues, evidence } = issuesOf(state, input.log_patterns, findings, unknown, advice);
  return {
    health_state: state,
    summary: summaryOf(c, findings, unknown, advice.actions),
    services: { services: c.services, bottleneck: c.bottleneck, trends: c.trends },
    issues,
    recommended_actions: advice.actions,
    explanation: {
      explainer: 'narrator',
      contributing_factors: contributingFactors(c, findings, unknown),
      watch_next: watchNext(c, findings, unknown),
      citations: advice.citations,
      services: serviceStories(c),
      log_evidence: evidence,
    },
  };
}
