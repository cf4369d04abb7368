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
    // history-0 has held its 2 shards for longer than a 10 s window: no churn.
    await eventually('history-0 older than the window', async () =>
      (await client.instant('sharditem_created_count offset 11s')).length > 0 ? true : undefined,
    );
    expect(await value(rateWithNewSeries(q, 'sharditem_created_count', '', 10))).toBe(0);

    // history-1 owned nothing, then takes 4 shards over: its counter appears at 4.
    counters.set('history-1', 4);
    await scraped('history-1', 4);
    const churn = await value(rateWithNewSeries(q, 'sharditem_created_count', '', 10));
    const rateAlone = await value('sum(rate(sharditem_created_count{job="churn-test"}[10s]))');
    expect(rateAlone).toBe(0);
    expect(churn).toBeCloseTo(4 / 10, 5);

    // An old series that grows is read by its rate, as before.
    counters.set('history-0', 5);
    await scraped('history-0', 5);
    expect(await value(rateWithNewSeries(q, 'sharditem_created_count', '', 10))).toBeGreaterThan(
      4 / 10,
    );
  });

  it("is the registry's shard churn query (both series new within its 5 minutes)", async () => {
    const def = PRIMARY.find((d) => d.field === FIELD.shardChurn);
    expect(def?.query).toBeDefined();
    const churn = await value(def!.query!(q));
    // 5 + 4 shards taken within the window (the stack's start is churn too), over 300 s.
    expect(churn).toBeCloseTo(9 / 300, 5);
  });
});
