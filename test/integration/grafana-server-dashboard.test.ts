import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { VectorSample } from '../../src/signals/prometheus-answer.js';
import { PrometheusClient } from '../../src/signals/prometheus-client.js';
import type { PipelineInput } from '../../src/samples/types.js';
import type { pipelineWorkflow } from '../../src/samples/workflows/pipeline.js';
import { findFreePorts } from '../../src/os/ports.js';
import { eventually } from '../helpers/cli.js';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus.js';
import { startSampleEnv, type SampleEnv } from '../helpers/sample-worker.js';

const DASHBOARD = fileURLToPath(
  new URL('../../grafana/server/temporal-server.json', import.meta.url),
);

interface Target {
  readonly refId: string;
  readonly expr: string;
}
interface Panel {
  readonly title: string;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}
interface Variable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
  readonly allValue?: string;
  readonly current?: { readonly value?: string };
}
interface Dashboard {
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/**
 * What Grafana substitutes for its own variables. The rate window is what Grafana would pick for a
 * 5 s scrape interval over a short time range, rounded up to a whole minute.
 */
const BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
  __range_s: '300',
};

/** Dashboard variables at the values the dashboard opens with (All → its allValue). */
const DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  dashboard.templating.list
    .filter((v) => v.type !== 'datasource')
    .map((v) => {
      const value = v.current?.value;
      return [v.name, value === '$__all' ? (v.allValue ?? '.*') : (value ?? '')];
    }),
);

function substitute(expr: string): string {
  const pattern = /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g;
  return expr.replace(pattern, (_match, braced?: string, plain?: string, legacy?: string) => {
    const name = (braced ?? plain ?? legacy)!;
    const value = BUILTINS[name] ?? DEFAULTS[name];
    if (value === undefined) throw new Error(`no value for $${name} in ${expr}`);
    return value;
  });
}

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

interface Query {
  /** `panel title [refId]`, how failures and the core set name a query. */
  readonly key: string;
  readonly expr: string;
}

const QUERIES: readonly Query[] = allPanels(dashboard.panels).flatMap((p) =>
  (p.targets ?? []).map((t) => ({ key: `${p.title} [${t.refId}]`, expr: substitute(t.expr) })),
);

/**
 * Queries that must show data once a dev server has run a little load: progress, traffic,
 * persistence, schedule-to-start on both sides, history and matching throughput, the worker's
 * slots and the server runtime. Everything else may legitimately be empty on a short, healthy run
 * (errors, shard moves, backlog gauges that matching publishes once a minute; see README).
 */
const CORE = [
  'Scrape target up [A]',
  'State transitions/s [A]',
  'Service requests/s [A]',
  'Workflows completed/s [A]',
  'Service requests by operation [A]',
  'State transitions/s by namespace [A]',
  'Workflow completions by outcome [A]',
  'History tasks processed by type [A]',
  'History task queue latency p95 by type [A]',
  'Shard ownership [A]',
  'Schedule-to-start latency by task type [A]',
  'Schedule-to-start latency by task type [B]',
  'Polls: success and timeout [A]',
  'Sync-match rate [A]',
  'Persistence latency p95 by operation [A]',
  'Persistence latency p99 by operation [A]',
  'Persistence requests by operation [A]',
  'Persistence requests by service [A]',
  'Frontend latency p95 / p99 (long polls excluded) [A]',
  'Frontend latency p95 / p99 (long polls excluded) [B]',
  'Frontend latency p99 by operation (long polls excluded) [A]',
  'Task slots available / used [A]',
  'Schedule-to-start latency (SDK view) [A]',
  'Pollers [A]',
  'Goroutines [A]',
  'Memory [A]',
];

const hasValue = (samples: readonly VectorSample[]): boolean =>
  samples.some((s) => Number.isFinite(s.value));

describe('the Temporal server dashboard against a real dev server, worker and Prometheus', () => {
  let env: SampleEnv | undefined;
  let testProm: TestPrometheus | undefined;
  let prom: PrometheusClient;
  let loadedWorkflows = 0;

  beforeAll(async () => {
    const [sdkPort] = await findFreePorts(1);
    // Before any worker exists: the runtime is process-wide, and the SDK exports its metrics only
    // when the runtime is installed with an exporter. The sample helper's own install then yields.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: {
        logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
        metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}` } },
      },
    });
    env = await startSampleEnv();
    const sample = env;

    // The jobs the local stack's Prometheus uses, so the dashboard's defaults select them.
    testProm = await startTestPrometheus([
      { job: 'temporal-monitored', address: new URL(sample.server.metricsUrl).host },
      { job: 'headway-worker', address: `127.0.0.1:${sdkPort}` },
    ]);
    prom = new PrometheusClient({ baseUrl: testProm.url });

    let seq = 0;
    const run = (input: Partial<PipelineInput> = {}) =>
      sample.client.workflow.execute<typeof pipelineWorkflow>('pipeline', {
        taskQueue: sample.taskQueue,
        workflowId: `grafana-${(seq += 1)}-${Date.now()}`,
        args: [{ issue: { title: `T${seq}`, complexity: 4 }, ...input }],
      });

    // One of each non-success outcome, so the completion panels have every common line.
    await expect(run({ issue: { title: 'failing' }, failTask: 'failing' })).rejects.toBeInstanceOf(
      WorkflowFailedError,
    );
    const noWorker = { taskQueue: `grafana-no-worker-${Date.now()}` };
    const terminated = await sample.client.workflow.start('nobody', {
      ...noWorker,
      workflowId: `grafana-terminated-${Date.now()}`,
    });
    await terminated.terminate('dashboard test');
    const timedOut = sample.client.workflow.execute('nobody', {
      ...noWorker,
      workflowId: `grafana-timed-out-${Date.now()}`,
      workflowExecutionTimeout: '1s',
    });
    await expect(timedOut).rejects.toBeInstanceOf(WorkflowFailedError);

    // Steady load while waiting: rates and quantiles need fresh events inside their window.
    let loading = true;
    const load = (async () => {
      while (loading) {
        await Promise.all([run(), run(), run()]);
        loadedWorkflows += 3;
      }
    })();
    try {
      await eventually(
        'state transitions scraped',
        async () => {
          const samples = await prom.instant(
            'state_transition_count_count{job="temporal-monitored"}',
          );
          return samples.length > 0 ? true : undefined;
        },
        30_000,
      );
      let missing: string[] = [];
      await eventually(
        'every core dashboard query to have data',
        async () => {
          const core = QUERIES.filter((q) => CORE.includes(q.key));
          const results = await Promise.all(
            core.map(async (q) => hasValue(await prom.instant(q.expr))),
          );
          missing = core.filter((_, i) => !results[i]).map((q) => q.key);
          return missing.length === 0 ? true : undefined;
        },
        40_000,
        1_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; still without data: ${missing.join(', ')}`);
      });
    } finally {
      loading = false;
      await load;
    }
  });

  afterAll(async () => {
    try {
      await env?.stop();
    } finally {
      await testProm?.stop();
    }
  });

  it('substitutes every variable and names every core query', () => {
    expect(QUERIES.length).toBeGreaterThan(50);
    for (const q of QUERIES) expect(q.expr, q.key).not.toMatch(/\$|\[\[/);
    expect(CORE.filter((key) => !QUERIES.some((q) => q.key === key))).toEqual([]);
    expect(loadedWorkflows).toBeGreaterThan(0);
  });

  it('runs every query of the dashboard without a parse or execution error', async () => {
    const failures: string[] = [];
    for (const q of QUERIES) {
      try {
        await prom.instant(q.expr);
      } catch (err) {
        failures.push(`${q.key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has data for every core query', async () => {
    const empty: string[] = [];
    for (const q of QUERIES.filter((query) => CORE.includes(query.key))) {
      if (!hasValue(await prom.instant(q.expr))) empty.push(q.key);
    }
    expect(empty).toEqual([]);
  });

  it('offers the default jobs among the options of $job and $worker_job', async () => {
    for (const v of dashboard.templating.list.filter((x) => x.name.endsWith('job'))) {
      const m = /^label_values\((\w+), (\w+)\)$/.exec(v.definition ?? '');
      expect(m, v.name).not.toBeNull();
      const [, metric, label] = m!;
      const url = `${prom.baseUrl}/api/v1/label/${label}/values?match[]=${metric}`;
      const body = (await (await fetch(url)).json()) as { data: string[] };
      expect(body.data, v.name).toContain(v.current?.value);
    }
  });
});
