import type { ResolvedThresholds } from '../health/thresholds.js';
import type { Evaluation, HealthState, Signals } from '../health/types.js';
import type { DraftIssue, LogPatternCount, RecommendedAction } from '../model/records.js';

/**
 * What an explainer returns. The draft part has the store's columns (summary, services, issues,
 * recommended actions); everything else an explainer knows goes into `explanation`, which the
 * store keeps as one JSON column. Types only: explainers and their consumers share them without
 * sharing code. The records an explainer drafts (issues, actions, log patterns) are the model's.
 */

export interface AssessmentDraft {
  readonly health_state: Evaluation['health_state'];
  readonly summary: string;
  readonly services: unknown;
  readonly issues: readonly DraftIssue[];
  readonly recommended_actions: readonly RecommendedAction[];
}

export interface ExplainInput {
  readonly evaluation: Evaluation;
  readonly signals: Signals;
  /** Recent signals, oldest first (trends). */
  readonly window: readonly Signals[];
  readonly log_patterns: readonly LogPatternCount[];
  readonly thresholds?: ResolvedThresholds;
}

/** One reason for the verdict, ranked: the fired gates first, then the signals nearest a limit. */
export interface ContributingFactor {
  readonly factor: string;
  /** The wire field it reads, when it is one signal. */
  readonly signal: string | null;
  readonly observed: number | null;
  /** 0–1; the list is sorted by it, highest first. */
  readonly weight: number;
}

/** A runbook section the explanation used: `heading` is a `##` heading of `file`. */
export interface Citation {
  readonly file: string;
  readonly heading: string;
}

/** One service as an actor in the story. */
export interface ServiceStory {
  readonly name: string;
  readonly status: HealthState;
  readonly story: string;
}

/** A log line quoted as evidence: sanitized, length-bounded, never interpreted. */
export interface LogEvidence {
  readonly pattern: string;
  readonly service: string;
  readonly count: number;
  readonly quote: string;
  /** Title of the issue it supports, or null when it supports none. */
  readonly issue: string | null;
}

export interface ExplanationExtras {
  readonly explainer: 'narrator' | 'llm';
  readonly contributing_factors: readonly ContributingFactor[];
  /** Two or three signals or events to look at next. */
  readonly watch_next: readonly string[];
  readonly citations: readonly Citation[];
  readonly services: readonly ServiceStory[];
  readonly log_evidence?: readonly LogEvidence[];
}

export type Explanation = AssessmentDraft & { readonly explanation: ExplanationExtras };

export interface KbHit {
  /** Path of the runbook, e.g. `docs/runbooks/backlog-growth.md`. */
  readonly file: string;
  readonly heading: string;
  readonly score: number;
  readonly excerpt: string;
}

/**
 * The runbook knowledge base as the narrator sees it. Searching must be deterministic: the same
 * index and query give the same hits, so a narration stays a function of its input.
 */
export interface KnowledgeBase {
  search(query: string, limit?: number): KbHit[];
  /** Whether `heading` is a `##` heading of `file`. */
  has(file: string, heading: string): boolean;
}
