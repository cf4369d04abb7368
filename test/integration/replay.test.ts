import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { makeSignals } from '../helpers/make-signals.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** `headway replay` as a user runs it, on traces written here (no servers needed). */
describe('headway replay', () => {
  const dir = makeTempDir('headway-replay-');
  afterAll(() => dir.remove());
  const write = (name: string, lines: unknown[]): string => {
    const file = join(dir.path, name);
    writeFileSync(
      file,
      lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
    );
    return file;
  };
  const at = (i: number) => `2026-11-22T00:00:${String(i * 5).padStart(2, '0')}.000Z`;

  it('walks the debounce: stressed, stressed, critical; then unknown when a deciding signal is null', async () => {
    const bad = (i: number) => makeSignals({ historyBacklog: 10_000 }, { timestamp: at(i) });
    const trace = write('incident.jsonl', [
      makeSignals({}, { timestamp: at(0) }),
      bad(1),
      bad(2),
      bad(3),
      {
        ...makeSignals({}, { timestamp: at(4) }),
        primary_signals: {
          ...makeSignals().primary_signals,
          history: { backlog_age_sec: null, task_processing_rate_per_sec: 50 },
        },
      },
    ]);
    const out = await runCli(['replay', trace, '--json'], process.env);
    expect(out.code, out.stderr).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            health_state: string;
            consecutive_critical: number;
            fired_gates: string[];
          },
      );
    expect(rows.map((r) => r.health_state)).toEqual([
      'happy',
      'stressed',
      'stressed',
      'critical',
      'unknown',
    ]);
    expect(rows.map((r) => r.consecutive_critical)).toEqual([0, 1, 2, 3, 0]);
    expect(rows[1]?.fired_gates).toContain('critical.history_backlog');

    const table = await runCli(['replay', trace], process.env);
    expect(table.stdout).toContain('5 observations, 4 state changes');
  });

  it('applies threshold overrides from a file', async () => {
    const trace = write('slow-db.jsonl', [
      makeSignals({ persistenceP99: 300 }, { timestamp: at(0) }),
    ]);
    const strict = join(dir.path, 'strict.yml');
    writeFileSync(strict, 'stressed:\n  persistence_latency_p99_max_ms: 250\n');
    const out = await runCli(['replay', trace, '--json', '--thresholds', strict], process.env);
    expect(JSON.parse(out.stdout.trim())).toMatchObject({
      health_state: 'stressed',
      fired_gates: ['stressed.persistence_latency'],
    });
  });

  it('rejects overrides that break the ordering, naming the problem', async () => {
    const trace = write('one.jsonl', [makeSignals({}, { timestamp: at(0) })]);
    const broken = join(dir.path, 'broken.yml');
    writeFileSync(broken, 'critical:\n  state_transitions_min_per_sec: 50\n');
    const out = await runCli(['replay', trace, '--thresholds', broken], process.env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('error[CONFIG_INVALID]');
    expect(out.stderr).toMatch(/state_transitions_min_per_sec \(50\) must be below/);
  });

  it('lists every invalid line before doing anything', async () => {
    const trace = write('broken.jsonl', [
      makeSignals({}, { timestamp: at(0) }),
      'not json',
      '{"timestamp": "x"}',
    ]);
    const out = await runCli(['replay', trace], process.env);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('has 2 invalid line(s)');
    expect(out.stderr).toContain('line 2: not JSON');
    expect(out.stderr).toMatch(/line 3: primary_signals/);
  });

  it('says so when the trace file is missing', async () => {
    const out = await runCli(['replay', join(dir.path, 'nope.jsonl')], process.env);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('cannot read trace');
  });
});
