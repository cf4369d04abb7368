import { afterEach, describe, expect, it } from 'vitest';

import { BenchMetrics } from './metrics.js';

/** The sample lines of one metric family, from a real scrape of the bench's endpoint. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('BenchMetrics, scraped over HTTP', () => {
  let metrics: BenchMetrics | undefined;
  afterEach(async () => {
    await metrics?.close();
  });

  async function scrape(m: BenchMetrics): Promise<string> {
    const address = await m.listen();
    const res = await fetch(`http://${address}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  }

  it('labels every series with the run’s workflow type and namespace', async () => {
    metrics = new BenchMetrics({ workflowType: 'simple', namespace: 'bench-a1' });
    metrics.setTargetRate(50);
    metrics.recordStarted(12);
    metrics.recordStarted(3_000);
    metrics.recordFinished('completed', 40);
    metrics.recordFinished('failed', 90);
    const text = await scrape(metrics);
    const run = 'workflow_type="simple",namespace="bench-a1"';

    expect(samples(text, 'benchmark_target_rate')).toEqual([`benchmark_target_rate{${run}} 50`]);
    expect(samples(text, 'benchmark_achieved_start_rate')).toEqual([
      `benchmark_achieved_start_rate{${run}} 0.2`,
    ]);
    expect(samples(text, 'benchmark_workflows_total').sort()).toEqual([
      `benchmark_workflows_total{result="completed",${run}} 1`,
      `benchmark_workflows_total{result="failed",${run}} 1`,
    ]);
    const start = samples(text, 'benchmark_start_latency_seconds_bucket');
    expect(start).toHaveLength(21);
    expect(start).toContain(`benchmark_start_latency_seconds_bucket{le="0.016",${run}} 1`);
    expect(start).toContain(`benchmark_start_latency_seconds_bucket{le="4.096",${run}} 2`);
    expect(samples(text, 'benchmark_start_latency_seconds_count')).toEqual([
      `benchmark_start_latency_seconds_count{${run}} 2`,
    ]);
    // Only completed workflows have an end-to-end latency.
    expect(samples(text, 'benchmark_workflow_latency_seconds_count')).toEqual([
      `benchmark_workflow_latency_seconds_count{${run}} 1`,
    ]);
  });

  it('exposes both histograms at zero before the first workflow', async () => {
    metrics = new BenchMetrics({ workflowType: 'timer', namespace: 'bench-b2' });
    const text = await scrape(metrics);
    for (const name of ['benchmark_start_latency_seconds', 'benchmark_workflow_latency_seconds']) {
      expect(samples(text, `${name}_count`)).toEqual([
        `${name}_count{workflow_type="timer",namespace="bench-b2"} 0`,
      ]);
    }
    expect(samples(text, 'benchmark_workflows_total')).toEqual([]);
  });

  it('counts the achieved rate over the last 10 s only, scraped or not', () => {
    metrics = new BenchMetrics({ workflowType: 'simple', namespace: 'bench-c3' });
    for (let i = 0; i < 30; i++) metrics.recordStarted(1);
    expect(metrics.achievedRate()).toBe(3);
    expect(metrics.achievedRate(performance.now() + 10_001)).toBe(0);
  });
});
