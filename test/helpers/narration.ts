import { readFileSync } from 'node:fs';

import { expect } from 'vitest';

import type { Explanation } from '../../src/explain/explanation.js';
import type { LogPatternCount } from '../../src/model/records.js';
import { DATA_RESTORING_TARGETS, GATE_STORIES } from '../../src/explain/narrator/index.js';
import { evaluate } from '../../src/health/evaluate.js';
import type { Evaluation, PreviousEvaluation, Signals } from '../../src/health/types.js';

/** The narrator's tests share these: the recorded situations and the invariants of every story. */

export interface Fixture {
  readonly situation: string;
  readonly input: {
    readonly evaluation: Evaluation;
    readonly signals: Signals;
    readonly window: readonly Signals[];
    readonly log_patterns: readonly LogPatternCount[];
  };
}

export const SITUATIONS = [
  'idle',
  'healthy-under-load',
  'persistence-slow',
  'history-backlog-critical',
  'worker-limited',
  'poller-misconfiguration',
  'retention-busy',
  'unknown',
] as const;
export type Situation = (typeof SITUATIONS)[number];

export function fixture(name: Situation): Fixture {
  const url = new URL(`../fixtures/evaluations/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

export function replay(window: readonly Signals[]): Evaluation {
  let previous: PreviousEvaluation | undefined;
  let last: Evaluation | undefined;
  for (const s of window) {
    last = evaluate(s, previous);
    previous = {
      health_state: last.health_state,
      consecutive_critical: last.consecutive_critical,
      scale_band: last.scale_band,
    };
  }
  return last!;
}

export const sentences = (text: string): string[] => text.split(/(?<=[.!?])\s+(?=[A-Z])/);

// eslint-disable-next-line no-control-regex
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (typeof x === 'object' && x !== null) return Object.values(x).flatMap(strings);
  return [];
}

/** The invariants every narration keeps, whatever its input. */
export function expectConsistent(evaluation: Evaluation, x: Explanation): void {
  const state = evaluation.health_state;
  expect(x.health_state).toBe(state);
  const summary = x.summary.toLowerCase();
  const n = sentences(x.summary).length;
  expect(n, x.summary).toBeGreaterThanOrEqual(3);
  expect(n, x.summary).toBeLessThanOrEqual(6);
  expect(x.explanation.watch_next.length).toBeGreaterThanOrEqual(2);
  expect(x.explanation.watch_next.length).toBeLessThanOrEqual(3);
  expect(x.explanation.explainer).toBe('narrator');
  for (const a of x.recommended_actions) {
    expect(a.confidence).toBeGreaterThanOrEqual(0);
    expect(a.confidence).toBeLessThanOrEqual(1);
  }
  const weights = x.explanation.contributing_factors.map((f) => f.weight);
  for (const w of weights) {
    expect(w).toBeGreaterThanOrEqual(0);
    expect(w).toBeLessThanOrEqual(1);
  }
  expect(weights).toEqual([...weights].sort((a, b) => b - a));

  const fired = evaluation.gates.filter(
    (g) => g.kind !== 'healthy' && evaluation.fired_gates.includes(g.id),
  );
  if (state === 'happy') {
    for (const story of Object.values(GATE_STORIES)) {
      expect(summary, x.summary).not.toContain(story.problem);
    }
    for (const i of x.issues) expect(i.severity).toBe('info');
  }
  if (state === 'stressed' || state === 'critical') {
    expect(summary.startsWith(`cluster is ${state}`), x.summary).toBe(true);
    for (const g of fired) expect(summary, x.summary).toContain(GATE_STORIES[g.id]!.subject);
  }
  if (state !== 'critical') {
    for (const i of x.issues) expect(i.severity).not.toBe('critical');
  }
  if (state === 'unknown') {
    expect(x.summary).toMatch(/^Health is unknown: /);
    expect(x.recommended_actions.length).toBeGreaterThan(0);
    for (const a of x.recommended_actions) {
      expect(DATA_RESTORING_TARGETS).toContain(a.target_service);
      expect(['investigate', 'configure']).toContain(a.action_type);
    }
    for (const story of Object.values(GATE_STORIES)) {
      expect(summary).not.toContain(story.problem);
    }
  }
  // Nothing from a log line may forge a line break, a terminal escape or a bidi reordering.
  for (const text of strings(x)) expect(text).not.toMatch(UNSAFE);
}
