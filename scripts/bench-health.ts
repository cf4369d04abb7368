/**
 * `npm run bench:health`: evaluations per second of the state machine on one core (target: over
 * 100,000/s), and the wall time of one full collection against a local Prometheus (target: under
 * 1 s). The collection part starts a stack with `headway up --detach` on free ports in a temp
 * state dir (or uses --prometheus URL), runs a little load, and stops it afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { evaluate, type PreviousEvaluation } from '../src/health/index.js';
import { makeSignals } from '../test/helpers/make-signals.js';
import { collectSignals } from '../src/signals/collect.js';
import { PrometheusClient } from '../src/signals/prometheus-client.js';
import { freeStackPorts } from '../src/stack/ports.js';
import { scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    prometheus: { type: 'string' },
    collections: { type: 'string', default: '20' },
    'skip-collection': { type: 'boolean', default: false },
  },
});

// --- 1. evaluations per second (single thread: Node runs this on one core) -------------------
const inputs = Array.from({ length: 64 }, (_, i) =>
  makeSignals({
    throughput: (i * 37) % 900,
    historyBacklog: (i * 13) % 400,
    persistenceP99: (i * 7) % 300,
    processing: (i * 11) % 1000,
    success: (i % 9) + 0.5,
    failed: i % 5 === 0 ? 3 : 0,
  }),
);
let previous: PreviousEvaluation | undefined;
for (let i = 0; i < 20_000; i += 1) previous = evaluate(inputs[i % inputs.length]!, previous); // warm-up
const rounds: number[] = [];
for (let r = 0; r < 5; r += 1) {
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) previous = evaluate(inputs[i % inputs.length]!, previous);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rounds.push(n / seconds);
}
rounds.sort((a, b) => a - b);
const evalsPerSec = rounds[2]!;
console.log(
  `state machine: ${Math.round(evalsPerSec).toLocaleString('en')} evaluations/s (median of 5 × 200,000; min ${Math.round(rounds[0]!).toLocaleString('en')}) — target > 100,000/s`,
);

// --- 2. one full collection against Prometheus ------------------------------------------------
let collectionMs: number[] = [];
if (!values['skip-collection']) {
  const bin = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
  let url = values.prometheus;
  let env: NodeJS.ProcessEnv | undefined;
  let dir: string | undefined;
  if (url === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'headway-bench-health-'));
    const stack = await freeStackPorts();
    env = { ...process.env, HEADWAY_STATE_DIR: dir, HEADWAY_SCRAPE_INTERVAL: '1s', ...stack.env };
    process.stderr.write('starting a local stack for the collection benchmark…\n');
    const up = spawnSync(process.execPath, [bin, 'up', '--detach'], { env, encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`headway up failed:\n${up.stderr}`);
    url = stack.prometheusUrl;
  }
  try {
    const client = new PrometheusClient({ baseUrl: url });
    const options = {
      serverSelector: 'job="temporal-monitored"',
      workerSelector: 'job="headway-worker"',
    };
    await collectSignals(client, options); // warm-up
    const n = Number(values.collections);
    for (let i = 0; i < n; i += 1) {
      const t0 = performance.now();
      const c = await collectSignals(client, options);
      collectionMs.push(performance.now() - t0);
      if (!c.quality.prometheus_ok) throw new Error('Prometheus did not answer');
    }
    collectionMs = collectionMs.sort((a, b) => a - b);
    const med = collectionMs[Math.floor(n / 2)]!;
    const p95 = collectionMs[Math.min(n - 1, Math.floor(n * 0.95))]!;
    console.log(
      `one full collection (${options.serverSelector}): median ${med.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${collectionMs.at(-1)!.toFixed(0)} ms over ${n} — target < 1000 ms`,
    );
  } finally {
    if (dir !== undefined) {
      spawnSync(process.execPath, [bin, 'down', '--volumes'], { env });
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
console.log(
  JSON.stringify({
    evaluations_per_sec: Math.round(evalsPerSec),
    collection_ms: collectionMs.map((x) => Math.round(x)),
  }),
);
