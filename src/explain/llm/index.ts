/**
 * The optional LLM explainer (docs/llm.md). Typical use, once per process:
 *
 *   const model = languageModelFor(config.explain);          // undefined: LLM off
 *   const budget = createCallBudget({ maxCallsPerHour: config.explain.max_calls_per_hour });
 *
 * and per assessment, after the narrator:
 *
 *   const r = await explainWithLlm({ model, draft, evaluation, signals, log_patterns, budget,
 *     timeoutMs: config.explain.timeout_s * 1000, temperature: config.explain.temperature,
 *     secrets: secretsOf(config.explain) });
 *   const explanation = r.used === 'llm' ? r.explanation : draft;
 */
export {
  DISPATCH_LEVELS,
  DispatchSchema,
  ResearchSchema,
  explainWithLlm,
  stateConflict,
  type Dispatch,
  type DispatchLevel,
  type ExplainWithLlmInput,
  type ExplainWithLlmResult,
  type Research,
} from './agents.js';
export { HOUR_MS, createCallBudget, type CallBudget, type CallBudgetOptions } from './budget.js';
export { languageModelFor, secretsOf, type ExplainModel } from './model.js';
export {
  TARGET_SERVICES,
  buildDispatcherPrompt,
  buildResearcherPrompt,
  untrustedLogBlock,
  type BuiltPrompt,
  type TargetService,
} from './prompts.js';
export type { AgentContext, NarratorDraft } from './types.js';
