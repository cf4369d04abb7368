import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Outcome } from '../load/generator.js';

/** 1 ms × 2^k, k = 0…19 (1 ms to about 524 s), as the reference's latency histogram. */
const BUCKETS_S = Array.from({ length: 20 }, (_, k) => 0.001 * 2 ** k);

class PromHistogram {
  readonly counts = new Array<number>(BUCKETS_S.length).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count += 1;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS_S.length; i++) if (seconds <= BUCKETS_S[i]!) this.counts[i]! += 1;
  }

  render(name: string, labels: string): string[] {
    const sep = labels === '' ? '' : ',';
    return [
      ...BUCKETS_S.map((le, i) => `${name}_bucket{${labels}${sep}le="${le}"} ${this.counts[i]}`),
      `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`,
      `${name}_sum{${labels}} ${this.sum}`,
      `${name}_count{${labels}} ${this.count}`,
    ];
  }
}

/**
 * The bench's own Prometheus metrics, served in the text exposition format by `node:http` (no
 * client library needed for a handful of series). Labels carry the workflow type and namespace, so
 * several runs on one Prometheus stay apart.
 */
export class BenchMetrics {
  readonly #latency = new PromHistogram();
  readonly #startLatency = new PromHistogram();
  readonly #results = new Map<Outcome, number>();
  readonly #startTimes: number[] = [];
  readonly #labels: string;
  #targetRate = 0;
  #server: Server | undefined;

  constructor(labels: { readonly workflowType: string; readonly namespace: string }) {
    this.#labels = `workflow_type="${labels.workflowType}",namespace="${labels.namespace}"`;
  }

  setTargetRate(rate: number): void {
    this.#targetRate = rate;
  }

  recordStarted(startLatencyMs: number): void {
    this.#startLatency.observe(startLatencyMs / 1_000);
    this.#startTimes.push(performance.now());
  }

  recordFinished(outcome: Outcome, endToEndMs: number): void {
    this.#results.set(outcome, (this.#results.get(outcome) ?? 0) + 1);
    if (outcome === 'completed') this.#latency.observe(endToEndMs / 1_000);
  }

  /** Accepted starts per second over the last 10 s. */
  achievedRate(now = performance.now()): number {
    while (this.#startTimes.length > 0 && this.#startTimes[0]! < now - 10_000) {
      this.#startTimes.shift();
    }
    return this.#startTimes.length / 10;
  }

  render(): string {
    const l = this.#labels;
    const lines = [
      '# HELP benchmark_workflow_latency_seconds End-to-end latency from the intended start to the result.',
      '# TYPE benchmark_workflow_latency_seconds histogram',
      ...this.#latency.render('benchmark_workflow_latency_seconds', l),
      '# HELP benchmark_start_latency_seconds Intended start to the server accepting the start.',
      '# TYPE benchmark_start_latency_seconds histogram',
      ...this.#startLatency.render('benchmark_start_latency_seconds', l),
      '# HELP benchmark_workflows_total Finished workflows by result (only completed is a success).',
      '# TYPE benchmark_workflows_total counter',
      ...[...this.#results].map(([r, n]) => `benchmark_workflows_total{${l},result="${r}"} ${n}`),
      '# HELP benchmark_target_rate Intended workflow starts per second.',
      '# TYPE benchmark_target_rate gauge',
      `benchmark_target_rate{${l}} ${this.#targetRate}`,
      '# HELP benchmark_achieved_start_rate Accepted starts per second over the last 10 s.',
      '# TYPE benchmark_achieved_start_rate gauge',
      `benchmark_achieved_start_rate{${l}} ${this.achievedRate()}`,
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Serves `/metrics` on 127.0.0.1 (`port` 0: a free one); returns `host:port`. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/metrics') === true) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(this.render());
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
