import { describe, expect, it } from 'vitest';

import { ago, useApiHarness } from '../../test/helpers/api-harness.js';
import { observation, stressedSignals } from '../../test/helpers/api-fixtures.js';

const harness = useApiHarness();

describe('GET /metrics', () => {
  it('exposes the current state in the Prometheus text format', async () => {
    const h = await harness();
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE copilot_health_state gauge',
        'copilot_health_state{state="happy"} 0',
        'copilot_health_state{state="stressed"} 1',
        'copilot_health_state{state="critical"} 0',
        'copilot_health_state{state="unknown"} 0',
        '# TYPE copilot_log_pattern_count gauge',
        'copilot_log_pattern_count{pattern="reservoir discard",service="history"} 128',
        'copilot_log_pattern_count{pattern="deadline exceeded",service="frontend"} 7',
        'copilot_observation_duration_seconds 0.184',
        'copilot_observation_age_seconds 2',
        'copilot_signal_absent{field="amplifiers.runtime.goroutines"} 1',
        'copilot_signal_absent{field="amplifiers.host.gc_pause_ms"} 1',
        'copilot_consecutive_critical 0',
        'copilot_store_up 1',
      ]),
    );
    expect(text.endsWith('\n')).toBe(true);
    for (const name of [
      'copilot_health_state',
      'copilot_log_pattern_count',
      'copilot_observation_duration_seconds',
      'copilot_observation_age_seconds',
      'copilot_signal_absent',
      'copilot_consecutive_critical',
    ]) {
      expect(lines).toContain(`# TYPE ${name} gauge`);
      expect(lines.some((l) => l.startsWith(`# HELP ${name} `))).toBe(true);
    }
  });

  it('escapes untrusted label values and sums duplicate series', async () => {
    const h = await harness({ seed: false });
    const nasty = 'say "hi"\\ then\nnew line\r\x00';
    await h.store.saveSnapshot(stressedSignals(ago(1)), ago(1), {
      observation: observation({
        log_patterns: [
          { pattern: nasty, service: 'his"tory\\', count: 2, sample_message: 'x' },
          { pattern: nasty, service: 'his"tory\\', count: 3, sample_message: 'y' },
          { pattern: 'plain', service: 'matching', count: 1, sample_message: 'z' },
        ],
      }),
    });
    const text = await (await h.get('/metrics')).text();
    const lines = text.split('\n').filter((l) => l.startsWith('copilot_log_pattern_count'));
    expect(lines).toEqual([
      'copilot_log_pattern_count{pattern="say \\"hi\\"\\\\ then\\nnew line  ",service="his\\"tory\\\\"} 5',
      'copilot_log_pattern_count{pattern="plain",service="matching"} 1',
    ]);
    // Every line is one sample or a comment: nothing a label injected broke a line.
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[0-9.e+]+|\w+(\{.*\})? NaN)$/);
    }
    const parsed = parseLabels(lines[0]!);
    expect(parsed).toEqual({ pattern: 'say "hi"\\ then\nnew line  ', service: 'his"tory\\' });
  });

  it('still answers when the store is down, with the state unknown', async () => {
    const h = await harness();
    h.storeDown();
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('copilot_store_up 0');
    expect(text).toContain('copilot_health_state{state="unknown"} 1');
    expect(text).not.toMatch(/^copilot_observation_age_seconds /m);
  });

  it('reports unknown and no observation series when there is no data', async () => {
    const h = await harness({ seed: false });
    const text = await (await h.get('/metrics')).text();
    expect(text).toContain('copilot_health_state{state="unknown"} 1');
    expect(text).toContain('copilot_store_up 1');
    expect(text).not.toMatch(/^copilot_log_pattern_count\{/m);
    expect(text).not.toMatch(/^copilot_consecutive_critical /m);
  });
});

/** Reads the labels of one exposition line back, undoing the format's escapes. */
function parseLabels(line: string): Record<string, string> {
  const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  const out: Record<string, string> = {};
  const re = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (const m of body.matchAll(re)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}
