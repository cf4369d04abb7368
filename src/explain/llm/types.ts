import type { Evaluation, Signals } from '../../health/types.js';
import type { AssessmentDraft, ExplanationExtras } from '../explanation.js';
import type { LogPatternCount } from '../../model/records.js';

/**
 * The narrator's account of an assessment. `explanation` is absent when the draft comes from the
 * minimal explainer; the LLM's result then starts from empty citations and service stories.
 */
export type NarratorDraft = AssessmentDraft & { readonly explanation?: ExplanationExtras };

/** What both agents see: the rules' verdict, the data it came from, and the narrator's draft. */
export interface AgentContext {
  readonly evaluation: Evaluation;
  readonly signals: Signals;
  readonly log_patterns: readonly LogPatternCount[];
  readonly draft: NarratorDraft;
  /** Why the assessment was made (`state_change`, `scheduled`); shown to the model, never taken from it. */
  readonly trigger?: string;
}
