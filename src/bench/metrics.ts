import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Outcome } from '../load/generator.js';
import { exposition } from '../prometheus/exposition.js';

/** 1 ms × 2^k, k = 0…19 (1 ms to about 524 s), as the reference's latency histogram. */
const BUCKETS_S = Array.from({ length: 20 }, (_, k) => 0.001 * 2 ** k);

type RunLabel = 'workflow_type' | 'namespace';

/**
 * The bench's own Prometheus metrics, written by prom-client into a registry of this run's own
 * (never the global one) and served by `node:http`. Labels carry the workflow type and namespace,
 * so several runs on one Prometheus stay apart.
 */
export class BenchMetrics {
  readonly #registry = new Registry();
  readonly #latency: Histogram<RunLabel>;
  readonly #startLatency: Histogram<RunLabel>;
  readonly #results: Counter<RunLabel | 'result'>;
  readonly #targetRate: Gauge<RunLabel>;
  readonly #startTimes: number[] = [];
  readonly #labels: Record<RunLabel, string>;
  #server: Server | undefined;

  constructor(labels: { readonly workflowType: string; readonly namespace: string }) {
    this.#labels = { workflow_type: labels.workflowType, namespace: labels.namespace };
    const registers = [this.#registry];
    const labelNames: RunLabel[] = ['workflow_type', 'namespace'];
    this.#latency = new Histogram({
      name: 'benchmark_workflow_latency_seconds',
      help: 'End-to-end latency from the intended start to the result.',
      labelNames,
      buckets: BUCKETS_S,
      registers,
    });
    this.#startLatency = new Histogram({
      name: 'benchmark_start_latency_seconds',
      help: 'Intended start to the server accepting the start.',
      labelNames,
      buckets: BUCKETS_S,
      registers,
    });
    // Both histograms are exposed (all zero) before the first workflow.
    this.#latency.zero(this.#labels);
    this.#startLatency.zero(this.#labels);
    this.#results = new Counter({
      name: 'benchmark_workflows_total',
      help: 'Finished workflows by result (only completed is a success).',
      labelNames: [...labelNames, 'result'],
      registers,
    });
    this.#targetRate = new Gauge({
      name: 'benchmark_target_rate',
      help: 'Intended workflow starts per second.',
      labelNames,
      registers,
    });
    this.#targetRate.set(this.#labels, 0);
    const run = this.#labels;
    const achieved = (): number => this.achievedRate();
    // Registered for the scrapes, which read its value when they collect.
    new Gauge({
      name: 'benchmark_achieved_start_rate',
      help: 'Accepted starts per second over the last 10 s.',
      labelNames,
      registers,
      collect() {
        this.set(run, achieved());
      },
    });
  }

  setTargetRate(rate: number): void {
    this.#targetRate.set(this.#labels, rate);
  }

  recordStarted(startLatencyMs: number): void {
    this.#startLatency.observe(this.#labels, startLatencyMs / 1_000);
    this.#startTimes.push(performance.now());
  }

  recordFinished(outcome: Outcome, endToEndMs: number): void {
    this.#results.inc({ ...this.#labels, result: outcome });
    if (outcome === 'completed') this.#latency.observe(this.#labels, endToEndMs / 1_000);
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
