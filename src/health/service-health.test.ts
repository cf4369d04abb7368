import { describe, expect, it } from 'vitest';

import { makeSignals } from '../../test/helpers/make-signals.js';

import { evaluate } from './evaluate.js';
import { serviceHealth } from './service-health.js';
import type { Signals } from './types.js';

const withAmplifier = (s: Signals, pool: number): Signals => ({
  ...s,
  amplifiers: { connection_pool: { utilization_pct: pool } },
});

describe('per-service view', () => {
  it('a frozen database (pool full, history stalled, no error, no slow completion) blocks persistence', () => {
    const frozen = withAmplifier(
      makeSignals({
        throughput: 0,
        processing: 0,
        success: 0,
        completionRate: null,
        transitionLatencyP99: 35_000,
      }),
      90.6,
    );
    const e = evaluate(frozen, {
      health_state: 'stressed',
      consecutive_critical: 5,
      scale_band: 'starter',
    });
    const persistence = serviceHealth(frozen, e).find((x) => x.name === 'persistence');
    expect(persistence).toMatchObject({
      forward_progress: 'blocked',
      dominant_signal: 'amplifiers.connection_pool.utilization_pct',
    });
    // The same pool at 40 %: persistence is fine, history alone is stalled.
    const calm = withAmplifier(frozen, 40);
    expect(serviceHealth(calm, e).find((x) => x.name === 'persistence')?.forward_progress).toBe(
      'ok',
    );
  });

  it('lists each instance of a service, and a service with none up is blocked', () => {
    const targets = [
      { service: 'matching', instance: 'matching-0', up: false },
      { service: 'matching', instance: 'matching-1', up: false },
      { service: 'history', instance: 'history-0', up: true },
    ];
    const s = makeSignals(
      {},
      {
        quality: {
          prometheus_ok: true,
          target_up: false,
          scrape_age_s: 1,
          unavailable: [],
          targets,
        },
      },
    );
    const views = serviceHealth(s, evaluate(s, undefined));
    expect(views.find((x) => x.name === 'matching')).toMatchObject({
      forward_progress: 'blocked',
      instances: [
        { instance: 'matching-0', up: false },
        { instance: 'matching-1', up: false },
      ],
    });
    expect(views.find((x) => x.name === 'history')?.instances).toEqual([
      { instance: 'history-0', up: true },
    ]);
  });
});

describe('persistence that fails a share of the work', () => {
  it('3 errors/s against 8 transitions/s degrades persistence; 0.5/s under load does not', () => {
    // Measured in postgres-connections-exhausted: two connections for six services.
    const starved = makeSignals({ throughput: 8, persistenceErrors: 3, persistenceP99: 470 });
    const e = evaluate(starved, undefined);
    expect(serviceHealth(starved, e).find((x) => x.name === 'persistence')).toMatchObject({
      forward_progress: 'degraded',
      dominant_signal: 'primary_signals.persistence.error_rate_per_sec',
    });
    const noise = makeSignals({ throughput: 200, persistenceErrors: 0.5 });
    const calm = serviceHealth(noise, evaluate(noise, undefined));
    expect(calm.find((x) => x.name === 'persistence')?.forward_progress).toBe('ok');
  });
});
