import type { HealthState } from '../../health/types.js';
import type { Citation, KnowledgeBase } from '../explanation.js';
import type { RecommendedAction } from '../../model/records.js';

import type { ActionSeed, Cause } from './causes/cause.js';
import type { Finding } from './finding.js';
import { clamp01, round2 } from './text.js';
import type { UnknownReason } from './unknown.js';

const MAX_ACTIONS = 5;

/** What the narrator advises: the runbook sections it cites and the actions, with each cause's steps. */
export interface Advice {
  readonly citations: readonly Citation[];
  readonly actions: readonly RecommendedAction[];
  /** Suggested actions per cause key, so every issue a cause explains lists the same steps. */
  readonly stepsByCause: ReadonlyMap<string, readonly string[]>;
}

function cite(
  kb: KnowledgeBase | undefined,
  cause: Pick<Cause, 'runbook' | 'query'>,
): Citation | null {
  if (kb === undefined) return null;
  const hits = kb.search(cause.query, 10);
  // Only a section of the cause's own runbook is cited: the best hit elsewhere can be about
  // something else that shares a word (a "failing workflow" is not a "hot workflow").
  const hit =
    cause.runbook === '' ? undefined : hits.find((h) => h.file.endsWith(`/${cause.runbook}`));
  return hit === undefined ? null : { file: hit.file, heading: hit.heading };
}

/**
 * Citations and actions: one set of actions per cause, in finding order (with an unknown state,
 * only what restores the data). With a knowledge base, the first action names the cited section.
 */
export function adviseOn(
  state: HealthState,
  kb: KnowledgeBase | undefined,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
): Advice {
  const citations: Citation[] = [];
  const addCitation = (cit: Citation | null): Citation | null => {
    if (cit !== null && !citations.some((x) => x.file === cit.file && x.heading === cit.heading)) {
      citations.push(cit);
    }
    return cit;
  };
  const actions: RecommendedAction[] = [];
  const boost = state === 'critical' ? 0.05 : state === 'happy' ? -0.05 : 0;
  const pushAction = (seed: ActionSeed, citation: Citation | null): string => {
    const see =
      citation === null
        ? ''
        : ` See ${citation.file} → ${citation.heading}${/[.?!]$/.test(citation.heading) ? '' : '.'}`;
    const description = `${seed.description}.${see}`;
    if (actions.some((a) => a.description === description) || actions.length >= MAX_ACTIONS) {
      return description;
    }
    actions.push({
      action_type: seed.action_type,
      target_service: seed.target_service,
      description,
      confidence: round2(clamp01(seed.confidence + boost)),
      parameters: seed.parameters ?? null,
      risk_level: seed.risk_level,
    });
    return description;
  };
  const stepsByCause = new Map<string, string[]>();
  if (state === 'unknown') {
    for (const u of unknown) {
      const citation = addCitation(cite(kb, { runbook: 'no-data.md', query: u.heading }));
      pushAction(u.action, citation);
    }
  } else {
    for (const f of findings) {
      if (f.cause === null || stepsByCause.has(f.cause.key)) continue;
      const citation = addCitation(cite(kb, f.cause));
      stepsByCause.set(
        f.cause.key,
        f.cause.actions.map((seed, i) => pushAction(seed, i === 0 ? citation : null)),
      );
    }
  }
  return { citations, actions, stepsByCause };
}
