import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { SignalsConfigSchema } from '../config/signals.js';
import { resolveThresholds } from '../health/thresholds.js';

import { SCENARIOS } from './catalog.js';
import { inShare } from './load-stream.js';
import { bottleneckOf } from './observer.js';
import {
  SUITE_SCHEMA,
  acrossRunsTable,
  renderScenarioMarkdown,
  renderSuiteMarkdown,
  resultsTable,
  type ResultSummary,
  type SuiteReport,
} from './report.js';
import {
  DEFAULT_SETTINGS,
  RESULT_SCHEMA,
  intervalSeconds,
  quicken,
  scaledThresholds,
} from './run-scenario.js';
import { renderStackConfig } from './stack.js';

function result(scenario: string, extra: Partial<ResultSummary> = {}): ResultSummary {
  return {
    schema: RESULT_SCHEMA,
    scenario,
    summary: 'a condition',
    proves: 'something',
    expected: 'happy → stressed → critical',
    fault: 'a fault',
    started_at: '2026-03-01T10:00:00.000Z',
    duration_s: 300,
    stack_up_s: 18,
    settings: { ...DEFAULT_SETTINGS, thresholds: scaledThresholds(2, 1) },
    load: { rate: 2, steps: 4 },
    load_counts: { started: 600, completed: 590, failed: 0, other: {} },
    phases: [],
    expectations: [
      {
        id: 'critical',
        description: 'fault: critical',
        status: 'pass',
        detail: 'state critical at +139 s (limit 240 s)',
        at_s: 139,
      },
      {
        id: 'bottleneck',
        description: 'fault: worker-limited',
        status: 'not_checked',
        detail: 'no worker metrics',
        at_s: null,
      },
    ],
    detection_s: 139,
    recovery_s: 53,
    trajectory: 'baseline: happy; fault: happy → stressed +14s → critical +139s',
    passed: true,
    error: null,
    polls: { total: 290, unanswered: 0 },
    notes: [],
    ...extra,
  };
}

describe('reports', () => {
  it('one table row per scenario: expected, trajectory, detection, recovery, pass', () => {
    const table = resultsTable([
      result('failing-workflows'),
      result('server-restart', { detection_s: null, recovery_s: null, passed: false }),
      result('idle', { error: 'the scenario stack did not come up', passed: false }),
    ]);
    expect(table.split('\n')).toEqual([
      '| scenario | expected | observed trajectory | detection | recovery | pass |',
      '| --- | --- | --- | --- | --- | --- |',
      '| failing-workflows | happy → stressed → critical | baseline: happy; fault: happy → stressed +14s → critical +139s | 139 s | 53 s | pass |',
      '| server-restart | happy → stressed → critical | baseline: happy; fault: happy → stressed +14s → critical +139s | – | – | FAIL |',
      '| idle | happy → stressed → critical | the scenario stack did not come up | 139 s | 53 s | ERROR |',
    ]);
  });

  it('across runs: passed runs, and times as median (min–max)', () => {
    const report: SuiteReport = {
      schema: SUITE_SCHEMA,
      started_at: '2026-03-01T10:00:00.000Z',
      duration_s: 5_400,
      machine: { cpus: 2, cpu_model: 'test cpu', memory_gb: 8 },
      scenarios: ['failing-workflows'],
      runs: [
        [result('failing-workflows', { detection_s: 141, recovery_s: 50 })],
        [result('failing-workflows', { detection_s: 139, recovery_s: 55 })],
        [result('failing-workflows', { detection_s: 150, recovery_s: 53, passed: false })],
      ],
      passed: false,
    };
    expect(acrossRunsTable(report).split('\n')[2]).toBe(
      '| failing-workflows | happy → stressed → critical | 141 s (139–150) | 53 s (50–55) | 2/3 |',
    );
    const md = renderSuiteMarkdown(report);
    expect(md).toContain('# Scenario suite: FAIL');
    expect(md).toContain('3 run(s) of 1 scenario(s)');
    expect(md).toContain('## Run 3 (5 min)');
    expect(md).toContain('○ fault: worker-limited — documented, not checked: no worker metrics');
    expect(md).toContain('"consecutive_critical":45');
  });

  it('one scenario in markdown: expectations, phases, load', () => {
    const md = renderScenarioMarkdown(result('failing-workflows'));
    expect(md).toContain('# Scenario failing-workflows: pass');
    expect(md).toContain('- ✓ fault: critical — pass: state critical at +139 s (limit 240 s)');
    expect(md).toContain('Load: 600 started, 590 completed, 0 failed.');
  });
});

describe('the bottleneck named in words', () => {
  it('reads the explainers’ phrasings, and nothing else', () => {
    expect(bottleneckOf(['Cluster is stressed. Bottleneck: worker-limited.'])).toBe(
      'worker_limited',
    );
    expect(
      bottleneckOf([
        'Cluster is happy.',
        'Workers set the pace: Every activity task slot is busy (0 free); the bottleneck is worker-limited (the server is fine).',
      ]),
    ).toBe('worker_limited');
    expect(bottleneckOf(['the bottleneck is server-limited'])).toBe('server_limited');
    expect(bottleneckOf(['Bottleneck: mixed.'])).toBe('mixed');
    expect(bottleneckOf(['Workers are connected and idle, with free slots.', null])).toBeNull();
  });
});

describe('scenario settings', () => {
  it('scales the evaluation-counting rules to the cadence, as valid overrides', () => {
    expect(scaledThresholds(2, 1)).toEqual({
      rules: { consecutive_critical: 45, max_scrape_age_s: 10 },
    });
    expect(scaledThresholds(30, 5).rules?.consecutive_critical).toBe(3);
    expect(scaledThresholds(5, 2).rules).toEqual({
      consecutive_critical: 18,
      max_scrape_age_s: 20,
    });
    expect(Array.isArray(resolveThresholds(scaledThresholds(2, 1)))).toBe(false);
    expect(intervalSeconds('1s')).toBe(1);
    expect(intervalSeconds('500ms')).toBe(0.5);
    expect(intervalSeconds('2m')).toBe(120);
    expect(() => intervalSeconds('soon')).toThrow(RangeError);
  });

  it('writes a headway.yml the config schema accepts', () => {
    const yml = parse(
      renderStackConfig({
        profile: 'dev',
        cadenceS: 2,
        scrapeInterval: '1s',
        queryTimeoutMs: 2_000,
        scheduledIntervalS: 10,
        thresholds: scaledThresholds(2, 1),
      }),
    ) as { signals: unknown; stack: unknown };
    expect(yml.stack).toEqual({ monitored: { ui: false }, copilot: { ui: false } });
    const signals = SignalsConfigSchema.parse(yml.signals);
    expect(signals.query_timeout_ms).toBe(2_000);
    expect(signals.thresholds.rules?.consecutive_critical).toBe(45);
  });

  it('CI pace shortens the baseline and holds, never the expectations', () => {
    for (const def of SCENARIOS) {
      const quick = quicken(def);
      expect(quick.expectations).toBe(def.expectations);
      expect(quick.baselineS).toBeLessThanOrEqual(10);
      if (def.fault !== null) expect(quick.fault!.minHoldS).toBeLessThan(def.fault.minHoldS);
    }
  });
});

describe('the catalog', () => {
  it('has the issue’s scenarios, unique names, and one detection and recovery at most each', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'steady',
        'idle',
        'worker-outage',
        'slow-activities',
        'failing-workflows',
        'no-poller',
        'metrics-outage',
        'server-restart',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const s of SCENARIOS) {
      expect(s.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      const ids = s.expectations.map((e) => e.id);
      expect(new Set(ids).size, s.name).toBe(ids.length);
      for (const m of ['detection', 'recovery'] as const) {
        const marked = s.expectations.filter((e) => e.mode === 'eventually' && e.measures === m);
        expect(marked.length, `${s.name} ${m}`).toBeLessThanOrEqual(1);
      }
      // Every scenario starts from a baseline with no false alarm.
      expect(
        s.expectations.some((e) => e.id === 'baseline-happy'),
        s.name,
      ).toBe(true);
      for (const e of s.expectations) {
        if (e.not_checked !== undefined) expect(e.not_checked.length, e.id).toBeGreaterThan(40);
      }
    }
  });
});

describe('load shares', () => {
  it('spreads a share of starts evenly', () => {
    const picks = Array.from({ length: 100 }, (_, k) => inShare(k, 0.9));
    expect(picks.filter(Boolean)).toHaveLength(90);
    // Never two successes in a row at 90 % failures: the share holds in any window.
    expect(picks.map((p) => (p ? 'f' : 's')).join('')).not.toContain('ss');
    expect(Array.from({ length: 10 }, (_, k) => inShare(k, 0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 10 }, (_, k) => inShare(k, 1)).every(Boolean)).toBe(true);
  });
});
