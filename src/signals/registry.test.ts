import { describe, expect, it } from 'vitest';

import { DECIDING_FIELDS } from '../health/evaluate.js';
import { FIELD } from '../model/signal-fields.js';

import { SIGNALS, fieldOf, signalsOf, type QueryContext } from './registry.js';

const tally: QueryContext = {
  naming: 'tally',
  server: 'job="temporal-monitored"',
  worker: 'job="headway-worker"',
};
const otel: QueryContext = { ...tally, naming: 'otel' };

describe('signal registry', () => {
  it('has the reference taxonomy: 12 primary, 14 amplifier and 6 worker signals', () => {
    const refs = (group: 'primary' | 'amplifier' | 'worker', prefix: string) =>
      new Set(
        signalsOf(group)
          .map((s) => s.ref)
          .filter((r) => new RegExp(`^${prefix}\\d+$`).test(r)),
      );
    expect(refs('primary', 'P').size).toBe(12);
    expect(refs('amplifier', 'A').size).toBe(14);
    expect(refs('worker', 'W').size).toBe(6);
  });

  it('gives every signal a unique wire field, a unit, a meaning and a way to get it', () => {
    const fields = SIGNALS.map(fieldOf);
    expect(new Set(fields).size).toBe(fields.length);
    for (const s of SIGNALS) {
      expect(s.unit.length, fieldOf(s)).toBeGreaterThan(0);
      expect(s.meaning.length, fieldOf(s)).toBeGreaterThan(10);
      if (s.source === 'prometheus') expect(s.query, fieldOf(s)).toBeTypeOf('function');
      if (s.source === 'derived') expect(s.derive, fieldOf(s)).toBeTypeOf('function');
    }
  });

  it('keeps the reference wire names the dashboard reads', () => {
    const fields = new Set(SIGNALS.map(fieldOf));
    for (const f of [
      'primary_signals.state_transitions.throughput_per_sec',
      'primary_signals.state_transitions.latency_p99_ms',
      'primary_signals.workflow_completion.completion_rate',
      'primary_signals.history.backlog_age_sec',
      'primary_signals.frontend.latency_p99_ms',
      'primary_signals.persistence.latency_p99_ms',
      'primary_signals.history.shard_churn_rate_per_sec',
      'amplifiers.persistence.occ_conflicts_per_sec',
      'amplifiers.connection_pool.utilization_pct',
      'amplifiers.connection_pool.churn_rate_per_sec',
      'amplifiers.queue.task_backlog_depth',
      'amplifiers.runtime.goroutines',
      'amplifiers.host.gc_pause_ms',
    ]) {
      expect(fields.has(f), f).toBe(true);
    }
  });

  it('contains every field the state machine reads', () => {
    const fields = new Set(SIGNALS.map(fieldOf));
    for (const f of [...Object.values(FIELD), ...DECIDING_FIELDS])
      expect(fields.has(f), f).toBe(true);
  });

  it('never hard-codes a value: no query falls back to vector(0)', () => {
    for (const s of SIGNALS) {
      for (const ctx of [tally, otel])
        expect(s.query?.(ctx) ?? '', fieldOf(s)).not.toMatch(/vector\(0\)/);
    }
  });

  it('treats DSQL series as absent when missing, never as zero', () => {
    const dsql = SIGNALS.filter((s) => s.dsql === true);
    expect(dsql.length).toBeGreaterThanOrEqual(5);
    for (const s of dsql) expect(s.lazy, fieldOf(s)).toBeUndefined();
  });

  it('scopes every server query to the selector and every worker query to the worker selector', () => {
    for (const s of SIGNALS.filter((x) => x.query !== undefined)) {
      const q = s.query!(tally);
      const scoped = q.includes('job="temporal-monitored"') || q.includes('job="headway-worker"');
      expect(scoped, `${fieldOf(s)}: ${q}`).toBe(true);
    }
  });

  it('builds tally and OpenTelemetry names', () => {
    const throughput = SIGNALS.find((s) => s.id === 'state_transitions.throughput_per_sec')!;
    expect(throughput.query!(tally)).toContain(
      'state_transition_count_count{job="temporal-monitored"}',
    );
    expect(throughput.query!(otel)).toContain('state_transition_count_ratio_count');
    const errors = SIGNALS.find((s) => s.id === 'persistence.error_rate_per_sec')!;
    expect(errors.query!(tally)).toContain('persistence_errors{');
    expect(errors.query!(otel)).toContain('persistence_errors_total{');
    const p99 = SIGNALS.find(
      (s) => s.id === 'persistence.latency_p99_ms' && s.group === 'primary',
    )!;
    expect(p99.query!(tally)).toMatch(/persistence_latency_bucket\{.*\* 1000$/);
    expect(p99.query!(otel)).toContain('persistence_latency_milliseconds_bucket');
    expect(p99.query!(otel)).not.toContain('* 1000');
  });

  it('replaces the reference signal 2 with a time: history write-path latency in ms', () => {
    const p2 = SIGNALS.filter((s) => s.ref === 'P2');
    expect(p2.map((s) => s.unit)).toEqual(['ms', 'ms']);
    for (const s of p2) {
      expect(s.query!(tally)).toContain('service_latency_bucket');
      expect(s.query!(tally)).not.toContain('state_transition_count');
    }
  });
});

describe('docs/health-model.md', () => {
  it('documents every signal that deliberately differs from the reference', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/health-model.md', import.meta.url), 'utf8');
    const undocumented = SIGNALS.filter((s) => s.differs !== undefined && !doc.includes(s.id)).map(
      fieldOf,
    );
    expect(undocumented).toEqual([]);
  });
});
