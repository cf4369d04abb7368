import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Counter, Gauge, Histogram, Registry } from '../prometheus/prom-client.js';

import type { Outcome } from '../load/generator.js';
import { exposition } from '../prometheus/exposition.js';

/** 1 ms × 2^k, k = 0…19 (1 ms to about 524 s), as the reference's latency histogram. */
const BUCKETS_S = Array.from({ length: 20 }, (_, k) => 0.001 * 2 ** k);

/**
 * The bench's own Prometheus metrics, written by prom-client into a registry of this run's own
 * (never the global one) and served by `node:http`. Every series carries the workflow type and
 * namespace, so several runs on one Prometheus stay apart. They are the registry's default
 * labels, added when it is scraped, not labels of each metric: a labelled `observe` validates and
 * hashes its labels at every call, 5 % of the generator's main thread at 50/s (two calls per
 * workflow; docs/bench.md, "Twelfth round").
 */
export class BenchMetrics {
  readonly #registry = new Registry();
  readonly #latency: Histogram;
  readonly #startLatency: Histogram;
  readonly #results: Counter<'result'>;
  readonly #targetRate: Gauge;
  readonly #startTimes: number[] = [];
  #server: Server | undefined;

  constructor(labels: { readonly workflowType: string; readonly namespace: string }) {
    this.#registry.setDefaultLabels({
      workflow_type: labels.workflowType,
      namespace: labels.namespace,
    });
    const registers = [this.#registry];
    // Unlabelled, both histograms are exposed (all zero) before the first workflow.
    this.#latency = new Histogram({
      name: 'benchmark_workflow_latency_seconds',
      help: 'End-to-end latency from the intended start to the result.',
      buckets: BUCKETS_S,
      registers,
    });
    this.#startLatency = new Histogram({
      name: 'benchmark_start_latency_seconds',
      help: 'Intended start to the server accepting the start.',
      buckets: BUCKETS_S,
      registers,
    });
    this.#results = new Counter({
      name: 'benchmark_workflows_total',
      help: 'Finished workflows by result (only completed is a success).',
      labelNames: ['result'],
      registers,
    });
    this.#targetRate = new Gauge({
      name: 'benchmark_target_rate',
      help: 'Intended workflow starts per second.',
      registers,
    });
    const achieved = (): number => this.achievedRate();
    // Registered for the scrapes, which read its value when they collect.
    new Gauge({
      name: 'benchmark_achieved_start_rate',
      help: 'Accepted starts per second over the last 10 s.',
      registers,
      collect() {
        this.set(achieved());
      },
    });
  }

  setTargetRate(rate: number): void {
    this.#targetRate.set(rate);
  }

  recordStarted(startLatencyMs: number): void {
    this.#startLatency.observe(startLatencyMs / 1_000);
    const now = performance.now();
    this.#startTimes.push(now);
    // Unscraped (no Prometheus), the window must not grow for the whole run.
    this.achievedRate(now);
  }

  recordFinished(outcome: Outcome, endToEndMs: number): void {
    this.#results.inc({ result: outcome });
    if (outcome === 'completed') this.#latency.observe(endToEndMs / 1_000);
  }

  /** Accepted starts per second over the last 10 s. */
  achievedRate(now = performance.now()): number {
    while (this.#startTimes.length > 0 && this.#startTimes[0]! < now - 10_000) {
      this.#startTimes.shift();
    }
    return this.#startTimes.length / 10;
  }

  render(): Promise<string> {
    return exposition(this.#registry);
  }

  /** Serves `/metrics` on 127.0.0.1 (`port` 0: a free one); returns `host:port`. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/metrics') === true) {
        void this.render().then(
          (text) => {
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
            res.end(text);
          },
          () => res.writeHead(500).end(),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
