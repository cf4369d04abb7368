import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { evaluate, readSignal } from '../../src/health/index.js';
import { isSignalField } from '../../src/model/signal-fields.js';
import type { Signals } from '../../src/model/signals.js';
import { collectSignals, type Collection } from '../../src/signals/collect.js';
import { PrometheusClient } from '../../src/signals/prometheus-client.js';
import { findFreePorts } from '../../src/os/ports.js';
import { freeStackPorts } from '../../src/stack/ports.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually, runCli } from '../helpers/cli.js';
import { runHelloWorkflow } from '../helpers/hello-worker.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Primary signals a dev server exports once it has run workflows (DSQL and worker ones aside). */
const EXPORTED_PRIMARY = [
  'state_transitions.throughput_per_sec',
  'state_transitions.latency_p95_ms',
  'state_transitions.latency_p99_ms',
  'workflow_completion.success_per_sec',
  'workflow_completion.failed_per_sec',
  'workflow_completion.completion_rate',
  'history.backlog_age_sec',
  'history.task_processing_rate_per_sec',
  'history.shard_churn_rate_per_sec',
  'frontend.error_rate_per_sec',
  'frontend.latency_p95_ms',
  'frontend.latency_p99_ms',
  'frontend.long_poll_latency_p99_ms',
  'matching.workflow_backlog_age_sec',
  'matching.activity_backlog_age_sec',
  'poller.poll_successes_per_sec',
  'poller.poll_timeouts_per_sec',
  'poller.poll_success_rate',
  'poller.poll_timeout_rate',
  'poller.long_poll_latency_ms',
  'persistence.latency_p95_ms',
  'persistence.latency_p99_ms',
  'persistence.error_rate_per_sec',
  'system_operations.deletion_rate_per_sec',
];

/** A primary signal by its id; an id the vocabulary does not name reads as absent. */
function readPrimary(signals: Signals, id: string): number | null {
  const field = `primary_signals.${id}`;
  return isSignalField(field) ? readSignal(signals, field) : null;
}

describe('signal collection from a real dev server through a real Prometheus', () => {
  const dir = makeTempDir('headway-signals-');
  let env: NodeJS.ProcessEnv;
  let promUrl: string;
  let address: string;
  let collection: Collection;

  beforeAll(async () => {
    const binaries = await testBinaries();
    const stack = await freeStackPorts();
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_TEMPORAL_BIN: binaries.temporal,
      HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
      // Fast scrapes, so rates over a few seconds of load are visible quickly.
      HEADWAY_SCRAPE_INTERVAL: '1s',
      ...stack.env,
    };
    address = stack.temporalAddress;
    promUrl = stack.prometheusUrl;
    const up = await runCli(['up', '--detach'], env);
    expect(up.code, up.stderr).toBe(0);

    // A small, steady workload (workflows with an activity, one after another) for as long as the
    // collection below waits: rates over a 1 m window need recent completions.
    let loading = true;
    let started = 0;
    const load = (async () => {
      while (loading) await runHelloWorkflow(address, `signals-${(started += 1)}-${Date.now()}`);
    })();

    // Rates and quantiles need samples in their window; wait (bounded) until every signal the
    // dev server exports has data, rather than taking the first collection that shows throughput.
    const client = new PrometheusClient({ baseUrl: promUrl });
    let last: Collection | undefined;
    collection = await eventually(
      'every exported primary signal to have data',
      async () => {
        last = await collectSignals(client, {
          serverSelector: 'job="temporal-monitored"',
          workerSelector: 'job="headway-worker"',
        });
        const missing = EXPORTED_PRIMARY.filter((id) => readPrimary(last!.signals, id) === null);
        const st = readSignal(last.signals, 'primary_signals.state_transitions.throughput_per_sec');
        return missing.length === 0 && st !== null && st > 0 ? last : undefined;
      },
      120_000,
      2_000,
    )
      .catch((err: unknown) => {
        const missing = EXPORTED_PRIMARY.filter(
          (id) => last === undefined || readPrimary(last.signals, id) === null,
        );
        throw new Error(`${String(err)}; still without data: ${missing.join(', ')}`);
      })
      .finally(() => {
        loading = false;
      });
    await load;
    expect(started).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await runCli(['down', '--volumes'], env ?? process.env);
    dir.remove();
  });

  it('reads the server with tally naming, target up and fresh data, and every query is valid PromQL', () => {
    const q = collection.quality;
    expect(q.prometheus_ok).toBe(true);
    expect(q.naming).toBe('tally');
    expect(q.target_up).toBe(true);
    expect(q.scrape_age_s).toBeLessThan(10);
    expect(q.failed).toEqual([]);
    expect(q.queries).toBeGreaterThan(60);
  });

  it('has every primary signal the dev server exports, and throughput above zero', () => {
    const missing = EXPORTED_PRIMARY.filter((id) => readPrimary(collection.signals, id) === null);
    expect(missing).toEqual([]);
    expect(
      readSignal(collection.signals, 'primary_signals.state_transitions.throughput_per_sec'),
    ).toBeGreaterThan(0);
    expect(
      readSignal(collection.signals, 'primary_signals.workflow_completion.completion_rate'),
    ).toBe(1);
  });

  it('reports signals this deployment does not export as absent (null, key present), not zero', () => {
    const p = collection.signals.amplifiers as Record<string, Record<string, unknown>>;
    expect(p.persistence).toHaveProperty('occ_conflicts_per_sec', null);
    expect(p.connection_pool).toHaveProperty('opens_per_sec', null);
    expect(collection.quality.absent).toContain('amplifiers.persistence.occ_conflicts_per_sec');
    // No SDK worker exports to this Prometheus: worker signals are absent, not "0 slots".
    expect(collection.signals.worker_signals).toHaveProperty('workflow_slots_available', null);
    expect(collection.quality.not_exported).toContain('amplifiers.runtime.blocked_goroutines');
  });

  it('evaluates to a known state', () => {
    expect(['happy', 'stressed']).toContain(evaluate(collection.signals, undefined).health_state);
  });

  it('says unknown when the selector matches no scrape target', async () => {
    const client = new PrometheusClient({ baseUrl: promUrl });
    const c = await collectSignals(client, {
      serverSelector: 'job="no-such-cluster"',
      workerSelector: '',
    });
    expect(c.quality.target_up).toBeNull();
    const e = evaluate(c.signals, undefined);
    expect(e.health_state).toBe('unknown');
    expect(e.reasons.join(' ')).toMatch(/no scrape target/);
  });

  it('`headway signals --json` prints signals, quality and an evaluation', async () => {
    const out = await runCli(['signals', '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as {
      signals: { primary_signals: unknown };
      quality: { prometheus_ok: boolean };
      evaluation: { health_state: string };
    };
    expect(json.quality.prometheus_ok).toBe(true);
    const logs = json as unknown as {
      log_patterns: unknown[];
      logs: { source: string; lines_scanned: number };
    };
    expect(Array.isArray(logs.log_patterns)).toBe(true);
    expect(logs.logs.source).toBe('file');
    expect(logs.logs.lines_scanned).toBeGreaterThan(0);
    expect(json.signals.primary_signals).toHaveProperty('history.backlog_age_sec');
    expect(['happy', 'stressed']).toContain(json.evaluation.health_state);

    const table = await runCli(['signals'], env);
    expect(table.stdout).toContain('Primary signals (decide the state)');
    expect(table.stdout).toContain('Narrative log patterns (file,');
    expect(table.stdout).toMatch(/A1\s+persistence\.occ_conflicts_per_sec\s+—\s+\/s\s+absent/);
  });

  it('records a trace that replays through the state machine', async () => {
    const rec = await runCli(['record', '--duration', '3s', '--interval', '1s'], env);
    expect(rec.code, rec.stderr).toBe(0);
    const lines = rec.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const trace = join(dir.path, 'trace.jsonl');
    writeFileSync(trace, rec.stdout);
    const replay = await runCli(['replay', trace, '--json'], env);
    expect(replay.code, replay.stderr).toBe(0);
    const results = replay.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(results).toHaveLength(lines.length);
    for (const r of results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining([
          'timestamp',
          'health_state',
          'scale_band',
          'consecutive_critical',
          'fired_gates',
          'reasons',
        ]),
      );
    }
  });

  it('fails with one clear line when Prometheus does not answer', async () => {
    const [port] = await findFreePorts(1);
    const out = await runCli(['signals', '--prometheus', `http://127.0.0.1:${port}`], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('error[PROMETHEUS_UNREACHABLE]');
    expect(out.stderr).toContain('headway up');
  });
});
