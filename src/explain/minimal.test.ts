import { describe, expect, it } from 'vitest';

import { evaluate } from '../health/evaluate.js';
import { makeSignals } from '../../test/helpers/make-signals.js';
import type { Evaluation, PreviousEvaluation, Signals } from '../health/types.js';

import { explainMinimal } from '../../test/helpers/minimal.js';

// The minimal explainer is a test helper now; the LLM tests start from its drafts, so it stays checked.

/** Evaluates `signals` often enough for a critical state to be confirmed (three in a row). */
function settled(signals: Signals): Evaluation {
  let previous: PreviousEvaluation | undefined;
  let e = evaluate(signals, previous);
  for (let i = 0; i < 10; i++) {
    previous = {
      health_state: e.health_state,
      consecutive_critical: e.consecutive_critical,
      scale_band: e.scale_band,
    };
    e = evaluate(signals, previous);
  }
  return e;
}

const explain = (signals: Signals, extra: Partial<Parameters<typeof explainMinimal>[0]> = {}) => {
  const evaluation = settled(signals);
  return {
    evaluation,
    draft: explainMinimal({ evaluation, signals, window: [], log_patterns: [], ...extra }),
  };
};

describe('the minimal explainer', () => {
  it('says happy with no issues and no actions for a healthy cluster', () => {
    const { evaluation, draft } = explain(makeSignals());
    expect(evaluation.health_state).toBe('happy');
    expect(draft.health_state).toBe('happy');
    expect(draft.summary).toMatch(/^Cluster is happy/);
    expect(draft.issues).toEqual([]);
    expect(draft.recommended_actions).toEqual([]);
  });

  it('names the fired gate, its signal and a history action when the backlog is critical', () => {
    const { evaluation, draft } = explain(makeSignals({ historyBacklog: 900 }));
    expect(evaluation.health_state).toBe('critical');
    expect(draft.summary).toMatch(/^Cluster is critical/);
    expect(draft.summary.toLowerCase()).toContain('history backlog');
    const issue = draft.issues.find((i) => i.severity === 'critical');
    expect(issue?.related_metrics).toContain('primary_signals.history.backlog_age_sec');
    expect(issue?.description).toContain('900');
    expect(draft.recommended_actions.map((a) => a.target_service)).toContain('history');
    for (const a of draft.recommended_actions) {
      expect(a.confidence).toBeGreaterThan(0);
      expect(a.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('only ever lists gates the evaluation fired, so it cannot contradict the rules', () => {
    const { evaluation, draft } = explain(makeSignals({ persistenceP99: 5000 }));
    expect(draft.health_state).toBe(evaluation.health_state);
    const fired = new Set(
      evaluation.gates.filter((g) => evaluation.fired_gates.includes(g.id)).map((g) => g.signal),
    );
    for (const issue of draft.issues.filter((i) => i.severity !== 'info')) {
      for (const m of issue.related_metrics) expect(fired.has(m), m).toBe(true);
    }
  });

  it('says plainly why the state is unknown', () => {
    const signals = makeSignals(
      {},
      { quality: { prometheus_ok: false, target_up: null, scrape_age_s: null, unavailable: [] } },
    );
    const { evaluation, draft } = explain(signals);
    expect(evaluation.health_state).toBe('unknown');
    expect(draft.summary).toMatch(/^Health is unknown: /);
    expect(draft.issues[0]?.title).toBe('Health cannot be judged');
    expect(draft.recommended_actions[0]?.target_service).toBe('prometheus');
  });

  it('reports log patterns as information, quoting only counts and names', () => {
    const { draft } = explain(makeSignals(), {
      log_patterns: [
        { pattern: 'shard ownership lost', service: 'history', count: 7, sample_message: 'x' },
        { pattern: 'none', service: 'matching', count: 0, sample_message: '' },
      ],
    });
    expect(draft.issues).toHaveLength(1);
    expect(draft.issues[0]).toMatchObject({
      severity: 'info',
      title: 'Log pattern: shard ownership lost',
    });
  });
});
