import { describe, expect, it } from 'vitest';

import {
  SITUATIONS,
  expectConsistent,
  fixture,
  replay,
  type Situation,
} from '../../../test/helpers/narration.js';
import { evaluate } from '../../health/evaluate.js';
import { FIELD } from '../../model/signal-fields.js';
import { makeSignals } from '../../../test/helpers/make-signals.js';
import type { HealthState } from '../../health/types.js';
import { loadKnowledgeBase } from '../kb.js';

import { narrate } from './index.js';

const kb = loadKnowledgeBase();

/** Each situation: the state, what the summary must say, and the first action's target and words. */
const EXPECT: Record<
  Situation,
  {
    state: HealthState;
    summary: RegExp[];
    top: { target: string; type: string; words: RegExp } | null;
    runbook: string | null;
  }
> = {
  idle: {
    state: 'happy',
    summary: [/^Cluster is happy and idle/, /rest, not a stall/],
    top: null,
    runbook: null,
  },
  'healthy-under-load': {
    state: 'happy',
    summary: [/^Cluster is happy \(mid-scale band\)/, /forward progress at 120 state transitions/],
    top: null,
    runbook: null,
  },
  'persistence-slow': {
    state: 'stressed',
    summary: [
      /^Cluster is stressed \(mid-scale band\): persistence latency is high/,
      /Persistence answers slowly \(p99 650 ms/,
      /Likely cause: the persistence connection pool is saturated/,
    ],
    top: { target: 'persistence', type: 'configure', words: /maxConns/ },
    runbook: 'persistence-latency.md',
  },
  'history-backlog-critical': {
    state: 'critical',
    summary: [
      /^Cluster is critical \(starter band\): the history backlog is far behind/,
      /History is far behind/,
      /Likely cause: history lacks capacity \(its CPU is throttled/,
    ],
    top: { target: 'history', type: 'scale', words: /Add history replicas/ },
    runbook: 'backlog-growth.md',
  },
  'worker-limited': {
    state: 'happy',
    summary: [
      /^Cluster is happy/,
      /Workers set the pace: they have no free workflow and activity slots/,
    ],
    top: { target: 'workers', type: 'scale', words: /Add worker replicas/ },
    runbook: 'worker-slot-exhaustion.md',
  },
  'poller-misconfiguration': {
    state: 'stressed',
    summary: [
      /^Cluster is stressed \(starter band\): poll timeouts dominate/,
      /Matching holds tasks that wait 240 s for a worker/,
      /Likely cause: workers poll other task queues than the work is sent to/,
    ],
    top: { target: 'workers', type: 'configure', words: /task queue names/ },
    runbook: 'poller-misconfiguration.md',
  },
  'retention-busy': {
    state: 'happy',
    summary: [
      /^Cluster is happy \(starter band\) and busy with retention/,
      /housekeeping, not a stall/,
    ],
    top: { target: 'history', type: 'monitor', words: /retention deletions/ },
    runbook: 'retention-storms.md',
  },
  unknown: {
    state: 'unknown',
    summary: [
      /^Health is unknown: Headway cannot judge forward progress because the monitored server is not being scraped/,
      /data is stale/,
      /neither good news nor an alarm/,
    ],
    top: { target: 'temporal-server', type: 'investigate', words: /metrics endpoint/ },
    runbook: 'no-data.md',
  },
};

describe('recorded situations', () => {
  it.each(SITUATIONS)(
    '%s: the recorded evaluation is what the rules give for its window',
    (name) => {
      const f = fixture(name);
      expect(f.input.signals).toEqual(f.input.window.at(-1));
      expect(replay(f.input.window)).toEqual(f.input.evaluation);
    },
  );

  it.each(SITUATIONS)('%s: names the right service and cause', (name) => {
    const f = fixture(name);
    const e = EXPECT[name];
    const x = narrate({ ...f.input, kb });
    expect(f.input.evaluation.health_state).toBe(e.state);
    expectConsistent(f.input.evaluation, x);
    for (const re of e.summary) expect(x.summary).toMatch(re);
    const top = x.recommended_actions[0];
    if (e.top === null) {
      expect(x.recommended_actions).toEqual([]);
      expect(x.issues).toEqual([]);
    } else {
      expect(top?.target_service).toBe(e.top.target);
      expect(top?.action_type).toBe(e.top.type);
      expect(top?.description).toMatch(e.top.words);
    }
    if (e.runbook === null) {
      expect(x.explanation.citations).toEqual([]);
    } else {
      expect(x.explanation.citations[0]?.file).toBe(`docs/runbooks/${e.runbook}`);
      expect(top?.description).toContain(`See docs/runbooks/${e.runbook} → `);
    }
    for (const c of x.explanation.citations) expect(kb.has(c.file, c.heading)).toBe(true);
  });

  it('tells every service as an actor', () => {
    for (const name of SITUATIONS) {
      const x = narrate(fixture(name).input);
      expect(x.explanation.services.map((s) => s.name)).toEqual([
        'history',
        'matching',
        'frontend',
        'persistence',
        'workers',
      ]);
      for (const s of x.explanation.services) expect(s.story).toMatch(/^[A-Z].*\.$/);
      for (const word of ['history', 'matching', 'frontend', 'persistence', 'workers']) {
        expect(x.summary.toLowerCase(), `${name}: ${word}`).toContain(word);
      }
    }
  });

  it('quotes supporting log lines in the issue they support', () => {
    const x = narrate(fixture('persistence-slow').input);
    const issue = x.issues.find((i) => i.title === 'Persistence latency is high');
    expect(issue?.description).toContain(
      '14 history log lines match "deadline exceeded", e.g. “Operation failed',
    );
    expect(x.explanation.log_evidence?.[0]).toMatchObject({
      pattern: 'deadline exceeded',
      issue: 'Persistence latency is high',
    });
  });

  it('ranks the fired gates first, then the signals nearest their limits', () => {
    const x = narrate(fixture('persistence-slow').input);
    const factors = x.explanation.contributing_factors;
    expect(factors[0]).toMatchObject({ signal: FIELD.persistenceP99, observed: 650 });
    expect(factors[1]).toMatchObject({ signal: FIELD.transitionLatencyP99, observed: 1400 });
    expect(factors.find((f) => f.signal === FIELD.frontendP99)?.factor).toMatch(
      /of the way to its limit/,
    );
  });

  it('counts the confirmation of a critical state, and says when it is still pending', () => {
    const critical = narrate(fixture('history-backlog-critical').input);
    expect(critical.issues[0]).toMatchObject({ severity: 'critical' });
    expect(critical.issues[0]?.description).toContain('Critical for 4 evaluations in a row.');

    const signals = makeSignals({ historyBacklog: 900 });
    const evaluation = evaluate(signals, {
      health_state: 'stressed',
      consecutive_critical: 0,
      scale_band: 'starter',
    });
    expect(evaluation.health_state).toBe('stressed');
    const pending = narrate({ evaluation, signals, window: [], log_patterns: [] });
    expectConsistent(evaluation, pending);
    expect(pending.summary).toContain('(critical evaluation 1 of 3, stressed until confirmed)');
    expect(pending.issues[0]).toMatchObject({ severity: 'warning' });
  });

  it('explains a stressed state with no fired gate: between thresholds, and recovering', () => {
    const starter = { consecutive_critical: 0, scale_band: 'starter' as const };
    const slow = makeSignals({ throughput: 0.8, processing: 10 });
    const between = evaluate(slow, { ...starter, health_state: 'happy' });
    expect(between).toMatchObject({ health_state: 'stressed', fired_gates: [] });
    const b = narrate({ evaluation: between, signals: slow, window: [], log_patterns: [], kb });
    expectConsistent(between, b);
    expect(b.summary).toMatch(
      /^Cluster is stressed \(starter band\): between thresholds: state transitions are below the healthy level/,
    );
    expect(b.summary).toContain('Nothing fails a gate');

    const near = makeSignals({ throughput: 0.6, processing: 10 });
    const recovering = evaluate(near, { ...starter, health_state: 'critical' });
    expect(recovering.reasons.some((r) => r.startsWith('recovering'))).toBe(true);
    const r = narrate({ evaluation: recovering, signals: near, window: [], log_patterns: [] });
    expectConsistent(recovering, r);
    expect(r.summary).toMatch(/recovering from critical/);
    expect(r.issues[0]).toMatchObject({ severity: 'warning', title: 'Recovering from critical' });
  });

  it('cites only the runbook of the cause, never a look-alike section', () => {
    const signals = makeSignals({ success: 1, failed: 9, completionRate: 0.1 });
    const evaluation = evaluate(signals, {
      health_state: 'critical',
      consecutive_critical: 5,
      scale_band: 'starter',
    });
    expect(evaluation.fired_gates).toEqual(['critical.completion_rate']);
    const x = narrate({ evaluation, signals, window: [], log_patterns: [], kb });
    expect(x.summary).toContain('Likely cause: workflows fail or time out');
    expect(x.recommended_actions[0]).toMatchObject({ target_service: 'workers' });
    expect(x.explanation.citations).toEqual([]);
  });

  it('is deterministic, and cites nothing without a knowledge base', () => {
    for (const name of SITUATIONS) {
      const input = fixture(name).input;
      expect(narrate({ ...input, kb })).toEqual(narrate({ ...input, kb }));
      const plain = narrate(input);
      expect(plain.explanation.citations).toEqual([]);
      expect(JSON.stringify(plain)).not.toContain('See docs/runbooks');
    }
  });
});

describe('dispatch stalled by a failing database', () => {
  it('names persistence, not the workers, when matching cannot dispatch and persistence errs', () => {
    // Measured in postgres-connections-exhausted: 2 connections for 6 services; matching hands
    // out 4 % of its tasks with every worker idle, persistence errs at 3/s, p99 just under 500 ms.
    const signals = makeSignals({
      throughput: 8.7,
      processing: 20,
      tasksAdded: 76,
      dispatchRatio: 0.04,
      persistenceErrors: 3.1,
      persistenceP99: 475,
    });
    const evaluation = evaluate(signals, {
      health_state: 'critical',
      consecutive_critical: 50,
      scale_band: 'starter',
    });
    expect(evaluation.fired_gates).toContain('critical.matching_dispatch');
    const x = narrate({ evaluation, signals, window: [signals], log_patterns: [], kb });
    expect(x.summary).toMatch(/Likely cause: the database rejects or times out requests/);
    expect(x.recommended_actions[0]?.target_service).toBe('persistence');
  });
});
