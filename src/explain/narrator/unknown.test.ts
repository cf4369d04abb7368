import { describe, expect, it } from 'vitest';

import { expectConsistent } from '../../../test/helpers/narration.js';
import { evaluate } from '../../health/evaluate.js';
import { makeSignals } from '../../../test/helpers/make-signals.js';
import type { DataQuality, Signals } from '../../health/types.js';
import { loadKnowledgeBase } from '../kb.js';

import { narrate } from './index.js';

const kb = loadKnowledgeBase();

describe('an unknown state', () => {
  const quality = (q: Partial<DataQuality>): DataQuality => ({
    prometheus_ok: true,
    target_up: true,
    scrape_age_s: 5,
    unavailable: [],
    ...q,
  });
  const cases: [string, Signals, RegExp, string][] = [
    [
      'Prometheus down',
      makeSignals({}, { quality: quality({ prometheus_ok: false, target_up: null }) }),
      /because Prometheus did not answer/,
      'prometheus',
    ],
    [
      'no scrape target',
      makeSignals({}, { quality: quality({ target_up: null }) }),
      /no scrape target/,
      'prometheus',
    ],
    [
      'stale data',
      makeSignals({}, { quality: quality({ scrape_age_s: 900 }) }),
      /data is stale \(last scrape 900 s ago/,
      'prometheus',
    ],
    [
      'missing signals',
      makeSignals({ historyBacklog: null, persistenceErrors: null }),
      /signals a critical gate needs are absent \(history\.backlog_age_sec, persistence\.error_rate_per_sec\)/,
      'temporal-server',
    ],
  ];

  it.each(cases)(
    '%s: says plainly why, and proposes only data-restoring actions',
    (_, signals, why, target) => {
      const evaluation = evaluate(signals, undefined);
      expect(evaluation.health_state).toBe('unknown');
      const x = narrate({ evaluation, signals, window: [], log_patterns: [], kb });
      expectConsistent(evaluation, x);
      expect(x.summary).toMatch(why);
      expect(x.recommended_actions[0]?.target_service).toBe(target);
      expect(x.issues[0]?.title).toBe('Health cannot be judged');
      expect(x.explanation.citations.every((c) => c.file === 'docs/runbooks/no-data.md')).toBe(
        true,
      );
    },
  );

  it('never names gate problems even when the evaluation lists fired gates', () => {
    // An unknown evaluation still carries the gates computed from whatever was read.
    const signals = makeSignals(
      { historyBacklog: 900, persistenceP99: 5000 },
      { quality: quality({ prometheus_ok: false }) },
    );
    const evaluation = evaluate(signals, undefined);
    expect(evaluation.health_state).toBe('unknown');
    expect(evaluation.fired_gates.length).toBeGreaterThan(0);
    const x = narrate({ evaluation, signals, window: [], log_patterns: [] });
    expectConsistent(evaluation, x);
    expect(x.issues.map((i) => i.title)).toEqual(['Health cannot be judged']);
  });
});
