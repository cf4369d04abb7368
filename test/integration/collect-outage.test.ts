import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { evaluate } from '../../src/health/index.js';
import { collectSignals } from '../../src/signals/collect.js';
import { PrometheusClient } from '../../src/signals/prometheus-client.js';
import { SIGNALS } from '../../src/signals/registry.js';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

/** Queries one collection sends when nothing fails: three probes and every Prometheus signal. */
const FULL = 3 + SIGNALS.filter((s) => s.source === 'prometheus' && s.query !== undefined).length;
/** The request before which Prometheus goes silent: the probes and a few queries have answered. */
const SILENT_AT = 6;
const CONCURRENCY = 8;

/**
 * A real Prometheus that a collection's own requests stop and start (SIGSTOP / SIGCONT) at a
 * chosen request, so "Prometheus went silent mid-collection" happens at the same point every run.
 */
describe('a collection during which a real Prometheus stops answering', () => {
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    prometheus = await startTestPrometheus([]);
  });

  afterAll(async () => {
    await prometheus.stop();
  });

  /** A fetch that counts requests, runs `before(n)` ahead of the n-th and `failed(n)` when it fails. */
  function countingFetch(hooks: { before?: (n: number) => void; failed?: (n: number) => void }): {
    fetch: typeof fetch;
    sent: () => number;
  } {
    let sent = 0;
    const wrapped: typeof fetch = async (input, init) => {
      const n = ++sent;
      hooks.before?.(n);
      try {
        return await fetch(input, init);
      } catch (err) {
        hooks.failed?.(n);
        throw err;
      }
    };
    return { fetch: wrapped, sent: () => sent };
  }

  /** One collection from the test's Prometheus through `fetch`. */
  function collectThrough(fetchImpl: typeof fetch) {
    const client = new PrometheusClient({ baseUrl: prometheus.url, fetch: fetchImpl });
    return collectSignals(client, {
      serverSelector: 'job="prometheus"',
      workerSelector: 'job="prometheus"',
      timeoutMs: 500,
      concurrency: CONCURRENCY,
    });
  }

  it('judges the whole collection "Prometheus not answering" (unknown), and stops sending queries', async () => {
    const counting = countingFetch({
      before: (n) => {
        if (n === SILENT_AT) prometheus.pause();
      },
    });
    try {
      const c = await collectThrough(counting.fetch);
      expect(c.quality.prometheus_ok).toBe(false);
      expect(c.signals.quality?.prometheus_ok).toBe(false);
      const e = evaluate(c.signals, undefined);
      expect(e.health_state).toBe('unknown');
      expect(e.reasons.join(' ')).toMatch(/Prometheus did not answer/);
      // Those in flight when it went silent, and one "are you still there?", then nothing more.
      expect(counting.sent()).toBeLessThanOrEqual(SILENT_AT + CONCURRENCY + 1);
      expect(counting.sent()).toBeLessThan(FULL);
    } finally {
      prometheus.resume();
    }
  });

  it('keeps a partial reading when Prometheus answers again after a stall', async () => {
    const counting = countingFetch({
      before: (n) => {
        if (n === SILENT_AT) prometheus.pause();
      },
      // The stalled request gave up; Prometheus comes back before anyone asks again.
      failed: (n) => {
        if (n === SILENT_AT) prometheus.resume();
      },
    });
    try {
      const c = await collectThrough(counting.fetch);
      expect(c.quality.prometheus_ok).toBe(true);
      expect(c.quality.failed.length).toBeGreaterThan(0);
      expect(c.quality.failed.length).toBeLessThanOrEqual(CONCURRENCY);
      // Every query was still sent, plus at least one check that Prometheus answers.
      expect(counting.sent()).toBeGreaterThan(FULL);
    } finally {
      prometheus.resume();
    }
  });
});
