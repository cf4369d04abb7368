import { NoObjectGeneratedError, Output, generateText } from 'ai';
import { z } from 'zod';

import { errorMessage } from '../../errors.js';
import { readSignal } from '../../health/evaluate.js';
import { redactSecrets } from '../../log/redact.js';
import type { Evaluation, HealthState, Signals } from '../../health/types.js';
import { sanitizeLogText } from '../../signals/log-patterns.js';
import type { ContributingFactor, Explanation } from '../explanation.js';
import type { DraftIssue, LogPatternCount, RecommendedAction } from '../../model/records.js';
import { isSignalField } from '../../model/signal-fields.js';

import type { CallBudget } from './budget.js';
import type { ExplainModel } from './model.js';
import {
  ACTION_TYPES,
  SIGNAL_FIELDS,
  TARGET_SERVICES,
  buildDispatcherPrompt,
  buildResearcherPrompt,
  type BuiltPrompt,
} from './prompts.js';
import type { AgentContext, NarratorDraft } from './types.js';

/**
 * The optional LLM explainer: a dispatcher decides how much explanation an assessment needs, a
 * researcher writes it. Rules decide, the model explains: every answer is validated against a
 * schema and then against the evaluation, and anything that would change what the rules decided
 * (the state, the fired gates, the services) throws the answer away in favour of the narrator's
 * draft. The caller always gets a usable explanation.
 */

// ---- Schemas -----------------------------------------------------------------------------------

const text = (max: number) => z.string().max(max);
const line = (max: number) => z.string().min(1).max(max);

export const DISPATCH_LEVELS = ['none', 'quick', 'deep'] as const;
export type DispatchLevel = (typeof DISPATCH_LEVELS)[number];

/** A cause, ranked by the model; `observed` is filled in from the signals, never from the model. */
const FactorSchema = z.strictObject({
  factor: line(200),
  signal: z
    .string()
    .nullable()
    .describe('A fired gate id or a signal field from <citable_signals>, or null'),
  weight: z.number().min(0).max(1).describe('Importance, 0 to 1'),
});
type Factor = z.infer<typeof FactorSchema>;

/**
 * Flat, not a union: OpenAI-style structured outputs reject a top-level `anyOf`. health_state is
 * asked for so an answer that states another one can be recognised; it is never used.
 */
export const DispatchSchema = z.strictObject({
  health_state: z.string().describe('The authoritative health state, exactly as given'),
  level: z.enum(DISPATCH_LEVELS),
  reason: line(500).describe('Why this level'),
  summary: text(1500).describe('For "quick": a one-paragraph summary; otherwise empty'),
  contributing_factors: z
    .array(FactorSchema)
    .max(6)
    .describe('For "quick": the causes, the primary one first; otherwise the ones to research'),
});
export type Dispatch = z.infer<typeof DispatchSchema>;

const ResearchIssueSchema = z.strictObject({
  severity: z.enum(['critical', 'warning', 'info']),
  title: line(200),
  description: line(1500),
  likely_cause: text(600).nullable(),
  suggested_actions: z.array(line(400)).max(5),
  related_signals: z
    .array(line(120))
    .max(8)
    .describe('Fired gate ids or signal fields from <citable_signals>'),
});

const ResearchActionSchema = z.strictObject({
  action_type: z.enum(ACTION_TYPES),
  target_service: z.string().describe(`One of ${TARGET_SERVICES.join(', ')}`),
  description: line(600),
  confidence: z.number().min(0).max(1),
  risk_level: z.enum(['low', 'medium', 'high']),
});

/** The researcher's answer: the reference's assessment fields, without the ones the rules own. */
export const ResearchSchema = z.strictObject({
  health_state: z.string().describe('The authoritative health state, exactly as given'),
  summary: line(2000),
  contributing_factors: z.array(FactorSchema).min(1).max(6),
  issues: z.array(ResearchIssueSchema).max(8),
  recommended_actions: z.array(ResearchActionSchema).max(5),
  watch_next: z.array(line(300)).min(2).max(3),
});
export type Research = z.infer<typeof ResearchSchema>;

// ---- Checks against the evaluation -------------------------------------------------------------

const asState = (word: string): HealthState =>
  word === 'healthy' ? 'happy' : (word as HealthState);

const NEGATED =
  /\b(not|no|nothing|none|no longer|never|nor|neither|without|isn't|wasn't|aren't|won't|rather than|instead of)\s+(\w+\s+){0,3}$/i;

/** Whether `word` occurs without a negation in the three words before it. */
function affirmed(text: string, word: string): boolean {
  const re = new RegExp(`\\b${word}\\b`, 'gi');
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    if (!NEGATED.test(before)) return true;
  }
  return false;
}

/** "the cluster is now critical", "health remains happy", "system looks healthy". */
const CLAIM =
  /\b(?:cluster|state|health|system|temporal)\b(?:\s+[\w-]+){0,3}?\s+(?:is|was|remains|stays|became|becomes|has become|turned|looks|appears|seems|went|goes|moved to)\s+(?:now\s+|still\s+|currently\s+|fully\s+|back\s+to\s+)?(happy|healthy|stressed|critical|unknown)\b/gi;

/**
 * Why this text states or implies a state other than `state`, or undefined. `strict` (the summary)
 * also treats any unnegated "happy"/"healthy" as a claim when the cluster is not happy, and any
 * "critical"/"stressed" as one when it is; elsewhere only sentences about the cluster count, so a
 * researcher may call a gate critical or say a service is not healthy.
 */
export function stateConflict(
  text: string,
  state: HealthState,
  strict: boolean,
): string | undefined {
  for (const m of text.matchAll(CLAIM)) {
    const word = (m[1] ?? '').toLowerCase();
    if (asState(word) !== state) return `says the cluster is "${word}"`;
  }
  if (!strict) return undefined;
  if (state !== 'happy') {
    for (const word of ['happy', 'healthy']) {
      if (affirmed(text, word)) return `calls it "${word}"`;
    }
  } else {
    for (const word of ['critical', 'stressed']) {
      if (affirmed(text, word)) return `calls it "${word}"`;
    }
  }
  return undefined;
}

const GATE_ID = /\b(?:critical|stressed|healthy)\.[a-z][a-z0-9_]*\b/gi;

/** Gate ids named in free text that did not fire (or do not exist). */
function unfiredGatesIn(text: string, fired: ReadonlySet<string>): string[] {
  return [...text.matchAll(GATE_ID)].map((m) => m[0]).filter((id) => !fired.has(id));
}

const quote = (s: string): string => JSON.stringify(sanitizeLogText(s, 80));

/**
 * Why the model may not cite `ref`, or undefined. Fired gate ids and registry fields pass; a gate
 * that did not fire, or a name nobody defined, does not.
 */
function citationProblem(ref: string, evaluation: Evaluation): string | undefined {
  if (evaluation.fired_gates.includes(ref) || SIGNAL_FIELDS.has(ref)) return undefined;
  return evaluation.gates.some((g) => g.id === ref)
    ? `gate ${quote(ref)}, which did not fire`
    : `${quote(ref)}, which is neither a fired gate nor a known signal`;
}

interface Answer {
  readonly health_state: string;
  readonly summary: string;
  readonly contributing_factors: readonly Factor[];
  readonly issues?: Research['issues'];
  readonly recommended_actions?: Research['recommended_actions'];
  readonly watch_next?: readonly string[];
}

/** The first reason to discard an answer, or undefined when it may be used. */
function checkAnswer(answer: Answer, evaluation: Evaluation): string | undefined {
  const state = evaluation.health_state;
  if (answer.health_state !== state) {
    return `the answer states health_state ${quote(answer.health_state)}, the rules decided "${state}"`;
  }
  const summaryConflict = stateConflict(answer.summary, state, true);
  if (summaryConflict !== undefined) {
    return `the summary ${summaryConflict} but the rules decided "${state}"`;
  }
  const issues = answer.issues ?? [];
  const prose = [
    ...answer.contributing_factors.map((f) => f.factor),
    ...(answer.watch_next ?? []),
    ...issues.flatMap((i) => [
      i.title,
      i.description,
      i.likely_cause ?? '',
      ...i.suggested_actions,
    ]),
    ...(answer.recommended_actions ?? []).map((a) => a.description),
  ];
  for (const t of prose) {
    const conflict = stateConflict(t, state, false);
    if (conflict !== undefined) return `the answer ${conflict} but the rules decided "${state}"`;
  }
  if (state === 'happy' && issues.some((i) => i.severity === 'critical')) {
    return 'the answer raises a critical issue while the rules decided "happy"';
  }

  const fired = new Set(evaluation.fired_gates);
  for (const t of [answer.summary, ...prose]) {
    const [gate] = unfiredGatesIn(t, fired);
    if (gate !== undefined) return `the answer names gate ${quote(gate)}, which did not fire`;
  }
  for (const f of answer.contributing_factors) {
    const problem = f.signal === null ? undefined : citationProblem(f.signal, evaluation);
    if (problem !== undefined) return `a contributing factor cites ${problem}`;
  }
  for (const issue of issues) {
    for (const ref of issue.related_signals) {
      const problem = citationProblem(ref, evaluation);
      if (problem !== undefined) return `an issue relates ${problem}`;
    }
  }
  const targets = new Set<string>(TARGET_SERVICES);
  for (const a of answer.recommended_actions ?? []) {
    if (!targets.has(a.target_service)) {
      return `an action targets ${quote(a.target_service)}, not one of ${TARGET_SERVICES.join('|')}`;
    }
  }
  return undefined;
}

// ---- Calls --------------------------------------------------------------------------------------

type CallResult<T> = { ok: true; value: T } | { ok: false; reason: string };

interface CallOptions {
  readonly model: ExplainModel;
  readonly budget: CallBudget;
  readonly timeoutMs: number;
  readonly temperature: number;
  readonly signal: AbortSignal | undefined;
  readonly secrets: readonly string[];
  /** Counts calls actually made, for the result. */
  readonly counter: { calls: number };
}

async function callModel<T>(
  what: 'dispatcher' | 'researcher',
  schema: z.ZodType<T>,
  built: BuiltPrompt,
  options: CallOptions,
): Promise<CallResult<T>> {
  if (!options.budget.tryTake()) {
    return {
      ok: false,
      reason: `call budget exhausted (${String(options.budget.maxCallsPerHour)} model calls per hour); ${what} not called`,
    };
  }
  options.counter.calls += 1;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const result = await generateText({
      model: options.model,
      instructions: built.instructions,
      prompt: built.prompt,
      output: Output.object({ schema, name: what }),
      temperature: options.temperature,
      // A retry is a second billed call outside the budget; the narrator is the fallback instead.
      maxRetries: 0,
      abortSignal: signal,
    });
    // Validated again here: the schema is ours, whatever the provider did with it.
    const parsed = schema.safeParse(result.output);
    if (!parsed.success)
      return { ok: false, reason: `${what} answer invalid: ${issuesOf(parsed.error)}` };
    return { ok: true, value: parsed.data };
  } catch (err) {
    if (timeout.aborted) {
      return { ok: false, reason: `${what} timed out after ${String(options.timeoutMs)} ms` };
    }
    if (options.signal?.aborted === true) return { ok: false, reason: `${what} call cancelled` };
    if (NoObjectGeneratedError.isInstance(err)) {
      const detail = invalidDetail(err.cause);
      return { ok: false, reason: `${what} answer invalid: ${detail}` };
    }
    return {
      ok: false,
      reason: `${what} call failed: ${sanitizeLogText(redactSecrets(errorMessage(err), options.secrets), 300)}`,
    };
  }
}

/** What was wrong with an answer the SDK could not turn into the schema's object. */
function invalidDetail(cause: unknown): string {
  for (let e = cause, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (e instanceof z.ZodError) return issuesOf(e);
    if (/json/i.test(e.name)) return 'not valid JSON';
  }
  return 'does not match the schema';
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${sanitizeLogText(i.message, 120)}`)
    .join('; ');
}

// ---- The explainer -------------------------------------------------------------------------------

export interface ExplainWithLlmInput {
  /** From `languageModelFor(config.explain)`, or the AI SDK's mock model in tests. */
  readonly model: ExplainModel;
  /** The narrator's account: kept whenever the model's is not used. */
  readonly draft: NarratorDraft;
  readonly evaluation: Evaluation;
  readonly signals: Signals;
  readonly log_patterns: readonly LogPatternCount[];
  /** One per process (createCallBudget); each model call takes one. */
  readonly budget: CallBudget;
  /** Per model call; from `explain.timeout_s`. */
  readonly timeoutMs: number;
  /** Milliseconds, for the elapsed time in the result. Default Date.now. */
  readonly now?: () => number;
  /** Default 0: the same evaluation should read the same way twice. */
  readonly temperature?: number;
  readonly trigger?: string;
  /** Cancels the calls (for example when the Temporal activity is cancelled). */
  readonly signal?: AbortSignal;
  /** Redacted from any error text (the configured API key: `secretsOf(config.explain)`). */
  readonly secrets?: readonly string[];
}

interface ResultMeta {
  /** Model calls made (each took one from the budget). */
  readonly model_calls: number;
  readonly elapsed_ms: number;
}

export type ExplainWithLlmResult =
  | (ResultMeta & {
      readonly used: 'llm';
      readonly level: 'quick' | 'deep';
      /** The narrator's draft with the model's text; explanation.explainer is 'llm'. */
      readonly explanation: Explanation;
    })
  | (ResultMeta & {
      readonly used: 'narrator';
      /** Why the narrator's draft stands; safe to log (sanitized, secrets redacted). */
      readonly reason: string;
      readonly level?: DispatchLevel;
    });

/**
 * Asks the model to explain an evaluated assessment and returns its explanation merged into the
 * narrator's draft, or says why the draft should be used as is. Never throws for anything the
 * model or provider does; the authoritative fields always come from the evaluation.
 */
export async function explainWithLlm(input: ExplainWithLlmInput): Promise<ExplainWithLlmResult> {
  const now = input.now ?? Date.now;
  const started = now();
  const counter = { calls: 0 };
  const meta = (): ResultMeta => ({
    model_calls: counter.calls,
    elapsed_ms: Math.max(0, now() - started),
  });
  const narrator = (reason: string, level?: DispatchLevel): ExplainWithLlmResult => ({
    used: 'narrator',
    reason,
    ...(level === undefined ? {} : { level }),
    ...meta(),
  });

  const { evaluation, signals } = input;
  const ctx: AgentContext = {
    evaluation,
    signals,
    log_patterns: input.log_patterns,
    draft: input.draft,
    ...(input.trigger === undefined ? {} : { trigger: input.trigger }),
  };
  if (
    evaluation.health_state === 'happy' &&
    evaluation.fired_gates.length === 0 &&
    !input.log_patterns.some((p) => p.count > 0)
  ) {
    return narrator('nothing to explain: happy, no gate fired, no log patterns; no model call');
  }
  const options: CallOptions = {
    model: input.model,
    budget: input.budget,
    timeoutMs: input.timeoutMs,
    temperature: input.temperature ?? 0,
    signal: input.signal,
    secrets: input.secrets ?? [],
    counter,
  };

  const dispatched = await callModel(
    'dispatcher',
    DispatchSchema,
    buildDispatcherPrompt(ctx),
    options,
  );
  if (!dispatched.ok) return narrator(dispatched.reason);
  const dispatch = dispatched.value;
  const dispatchProblem = checkAnswer(dispatch, evaluation);
  if (dispatchProblem !== undefined) return narrator(`dispatcher discarded: ${dispatchProblem}`);

  switch (dispatch.level) {
    case 'none':
      return narrator(
        `dispatcher: the narrator's draft is enough (${sanitizeLogText(dispatch.reason, 200)})`,
        'none',
      );
    case 'quick': {
      if (dispatch.summary.trim() === '' || dispatch.contributing_factors.length === 0) {
        return narrator('dispatcher discarded: "quick" without a summary and a factor', 'quick');
      }
      return {
        used: 'llm',
        level: 'quick',
        explanation: merge(input.draft, evaluation, {
          summary: dispatch.summary.trim(),
          contributing_factors: toFactors(dispatch.contributing_factors, evaluation, signals),
        }),
        ...meta(),
      };
    }
    case 'deep': {
      const researched = await callModel(
        'researcher',
        ResearchSchema,
        buildResearcherPrompt(ctx, {
          contributing_factors: dispatch.contributing_factors.map((f) => f.factor),
        }),
        options,
      );
      if (!researched.ok) return narrator(researched.reason, 'deep');
      const research = researched.value;
      const problem = checkAnswer(research, evaluation);
      if (problem !== undefined) return narrator(`researcher discarded: ${problem}`, 'deep');
      return {
        used: 'llm',
        level: 'deep',
        explanation: merge(input.draft, evaluation, {
          summary: research.summary.trim(),
          contributing_factors: toFactors(research.contributing_factors, evaluation, signals),
          watch_next: unique(research.watch_next),
          issues: research.issues.map((i) => toDraftIssue(i, evaluation)),
          recommended_actions: research.recommended_actions.map(toRecommendedAction),
        }),
        ...meta(),
      };
    }
    default: {
      const never: never = dispatch.level;
      return narrator(`dispatcher answered an unknown level ${quote(String(never))}`);
    }
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))];
}

/** A citable reference as a wire field: a gate id becomes the field it reads, a short id its path. */
function wireField(ref: string, evaluation: Evaluation): string {
  return evaluation.gates.find((g) => g.id === ref)?.signal ?? SIGNAL_FIELDS.get(ref) ?? ref;
}

/** The store's factor shape, heaviest first; the observed value is read from the signals. */
function toFactors(
  factors: readonly Factor[],
  evaluation: Evaluation,
  signals: Signals,
): ContributingFactor[] {
  const seen = new Set<string>();
  return factors
    .filter((f) => {
      const key = f.factor.trim();
      if (key === '' || seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((f) => {
      const signal = f.signal === null ? null : wireField(f.signal, evaluation);
      return {
        factor: f.factor.trim(),
        signal,
        observed: signal !== null && isSignalField(signal) ? readSignal(signals, signal) : null,
        weight: f.weight,
      };
    })
    .sort((a, b) => b.weight - a.weight);
}

function toDraftIssue(issue: Research['issues'][number], evaluation: Evaluation): DraftIssue {
  const cause = issue.likely_cause?.trim() ?? '';
  return {
    severity: issue.severity,
    title: issue.title.trim(),
    description: issue.description.trim(),
    likely_cause: cause === '' ? null : cause,
    suggested_actions: unique(issue.suggested_actions),
    related_metrics: unique(issue.related_signals.map((s) => wireField(s, evaluation))),
  };
}

function toRecommendedAction(action: Research['recommended_actions'][number]): RecommendedAction {
  return {
    action_type: action.action_type,
    target_service: action.target_service,
    description: action.description.trim(),
    confidence: action.confidence,
    // The store's shape; parameters are for automated remediation, which the model never drives.
    parameters: null,
    risk_level: action.risk_level,
  };
}

function merge(
  draft: NarratorDraft,
  evaluation: Evaluation,
  from: {
    summary: string;
    contributing_factors: readonly ContributingFactor[];
    watch_next?: readonly string[];
    issues?: readonly DraftIssue[];
    recommended_actions?: readonly RecommendedAction[];
  },
): Explanation {
  // Citations, service stories and log evidence stay the narrator's: the model adds none of them.
  const x = draft.explanation;
  return {
    // The rules own the state; the model's copy was only compared, never used.
    health_state: evaluation.health_state,
    summary: from.summary,
    services: draft.services,
    issues: from.issues ?? draft.issues,
    recommended_actions: from.recommended_actions ?? draft.recommended_actions,
    explanation: {
      ...x,
      explainer: 'llm',
      contributing_factors: from.contributing_factors,
      watch_next: from.watch_next ?? x?.watch_next ?? [],
      citations: x?.citations ?? [],
      services: x?.services ?? [],
    },
  };
}
