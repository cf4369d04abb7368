import { createServer, type Server } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FIELD } from '../../src/model/signal-fields.js';
import { findFreePorts } from '../../src/os/ports.js';
import { PrometheusClient } from '../../src/signals/prometheus-client.js';
import { rateWithNewSeries } from '../../src/signals/promql.js';
import { PRIMARY } from '../../src/signals/registry-primary.js';
import type { QueryContext } from '../../src/signals/signal-def.js';
import { eventually } from '../helpers/cli.js';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

/** A short window, so that the test's first series is older than it within seconds. */
const WINDOW_S = 20;

/**
 * Shard churn is read from `sharditem_created_count`, a counter Temporal creates at its first
 * increment. A real Prometheus scrapes a target standing in for two history instances (the
 * exposition is the only part not real: which instance takes shards over, and when, cannot be
 * forced on a real cluster).
 */
describe('shard churn through a real Prometheus: a counter that appears with its first shards', () => {
  const q: QueryContext = { naming: 'tally', server: 'job="churn-test"', worker: '' };
  const counters = new Map<string, number>([['history-0', 2]]);
  let server: Server;
  let prometheus: TestPrometheus;
  let client: PrometheusClient;

  const value = async (query: string): Promise<number> =>
    (await client.instant(query))[0]?.value ?? Number.NaN;
  /** Resolves once Prometheus has scraped `instance` at `n` (event, not time). */
  const scraped = (instance: string, n: number): Promise<true> =>
    eventually(`${instance} at ${String(n)} in Prometheus`, async () =>
      (await value(`sharditem_created_count{temporal_instance="${instance}"}`)) === n
        ? true
        : undefined,
    );

  beforeAll(async () => {
    const [port] = await findFreePorts(1);
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [...counters]
          .map(([i, n]) => `sharditem_created_count{temporal_instance="${i}"} ${String(n)}\n`)
          .join('') + 'up_marker 1\n',
      );
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    prometheus = await startTestPrometheus([
      { job: 'churn-test', address: `127.0.0.1:${String(port)}` },
    ]);
    client = new PrometheusClient({ baseUrl: prometheus.url });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => server?.close(r));
  });

  it('counts the shards an instance with no counter yet takes over; rate alone reads 0', async () => {
    const churn = (): Promise<number> =>
      value(rateWithNewSeries(q, 'sharditem_created_count', '', WINDOW_S));
    // history-0 has held its 2 shards for longer than the window: no churn.
    // A readiness wait (the window's length of scrapes), not a bound on anything measured.
    await eventually(
      'history-0 older than the window',
      async () =>
        (await client.instant(`sharditem_created_count offset ${String(WINDOW_S + 1)}s`)).length > 0
          ? true
          : undefined,
      3 * 60_000,
    );
    expect(await churn()).toBe(0);

    // history-1 owned nothing, then takes 4 shards over: its counter appears at 4.
    counters.set('history-1', 4);
    await scraped('history-1', 4);
    const rateAlone = await value(
      `sum(rate(sharditem_created_count{job="churn-test"}[${String(WINDOW_S)}s]))`,
    );
    expect(rateAlone).toBe(0);
    const afterTakeover = await churn();
    expect(afterTakeover).toBeCloseTo(4 / WINDOW_S, 5);

    // Then history-1 is lost (its series goes stale, as a stopped instance's does) and history-0
    // takes one shard: the churn rises, history-1's first 4 still counted (dropping them with the
    // stale series would leave only history-0's rate, below the churn before).
    counters.delete('history-1');
    counters.set('history-0', 3);
    await scraped('history-0', 3);
    expect(await client.instant('sharditem_created_count{temporal_instance="history-1"}')).toEqual(
      [],
    );
    expect(await churn()).toBeGreaterThan(afterTakeover);
  });

  it("is the registry's shard churn query (both series new within its 5 minutes)", async () => {
    const def = PRIMARY.find((d) => d.field === FIELD.shardChurn);
    expect(def?.query?.(q)).toBe(rateWithNewSeries(q, 'sharditem_created_count', '', 300));
    // history-0 first seen at 2 and history-1 at 4, both within 300 s, plus history-0's rise.
    expect(await value(def!.query!(q))).toBeGreaterThan(6 / 300);
  });
});
