/**
 * `npm run bench:api`: latency of the copilot API under an open-loop load. A child process opens a
 * PGlite store in a temp directory, fills it with a day of history (a snapshot every 30 s, an
 * assessment every 5 min) plus a fresh observation and an assessment with issues, and serves the
 * API on 127.0.0.1:0. This process then fires GET requests on a fixed timetable (default 200/s for
 * 30 s, after a warm-up) whether or not earlier ones have returned, and measures each latency from
 * its scheduled time, so a stalled server shows as latency rather than as fewer requests (no
 * coordinated omission). Fails (exit 1) when p99 ≥ the limit (10 ms) or any request fails.
 *
 *   npm run bench:api -- --rate 500 --seconds 60 --path /status/services --cache-ms 0
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';

import { startApiServer } from '../src/api/server.js';
import {
  assessmentInput,
  observation,
  openStore,
  seedStressed,
  stressedSignals,
} from '../test/helpers/api-fixtures.js';
import { LatencyHistogram } from '../src/load/histogram.js';
import { numberFlag, scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'warmup-seconds': { type: 'string', default: '3' },
    path: { type: 'string', default: '/status' },
    /** The API's read cache; unset: the API's default. */
    'cache-ms': { type: 'string' },
    'history-hours': { type: 'string', default: '24' },
    'p99-max-ms': { type: 'string', default: '10' },
    // Internal: run as the server child.
    serve: { type: 'boolean', default: false },
    dir: { type: 'string' },
  },
});

function positive(name: string, text: string | undefined, min = 0): number {
  return numberFlag(import.meta.url, `--${name}`, text, { min });
}

// ---- The server child -----------------------------------------------------------------------

interface Ready {
  readonly type: 'ready';
  readonly url: string;
  readonly snapshots: number;
  readonly assessments: number;
  readonly seedMs: number;
  readonly rssBytes: number;
}
interface Stats {
  readonly type: 'stats';
  readonly rssBytes: number;
  readonly maxRssBytes: number;
  /** Time inside the server per request (Node's own HTTP timing), since the last `reset`. */
  readonly server: ReturnType<LatencyHistogram['summary']>;
  /** Garbage-collection pauses of the server since the last `reset`. */
  readonly gc: { readonly count: number; readonly totalMs: number; readonly maxMs: number };
}
type ChildMessage = Ready | Stats;

async function serve(dir: string): Promise<void> {
  const t0 = performance.now();
  const opened = await openStore(dir);
  const now = Date.now();
  const hours = positive('history-hours', values['history-hours']);
  let snapshots = 0;
  let assessments = 0;
  // A day of history as the observe workflow writes it, so the latest-row queries run over an
  // index of realistic size rather than a near-empty table.
  for (let t = now - hours * 3_600_000; t < now - 60_000; t += 30_000) {
    const at = new Date(t);
    await opened.store.saveSnapshot(stressedSignals(at), at, { observation: observation() });
    snapshots += 1;
    if (snapshots % 10 === 0) {
      await opened.store.saveAssessment(assessmentInput(at, { trigger: 'scheduled' }));
      assessments += 1;
    }
  }
  await seedStressed(opened.store, new Date(now));
  snapshots += 1;
  assessments += 2;
  const seedMs = performance.now() - t0;

  const cacheMs = values['cache-ms'];
  const server = await startApiServer(
    {
      store: () => Promise.resolve(opened.store),
      api: { cors_origins: [], host: '127.0.0.1' },
      ...(cacheMs === undefined ? {} : { cacheMs: positive('cache-ms', cacheMs) }),
    },
    { host: '127.0.0.1', port: 0 },
  );
  // The observe workflow writes a snapshot every cycle; keep doing so, so the observation stays
  // fresh in long runs and reads meet concurrent writes.
  const writer = setInterval(() => {
    const at = new Date();
    void opened.store.saveSnapshot(stressedSignals(at), at, { observation: observation() });
  }, 30_000);

  // Node times every server request itself: the server's share of the latency, without the
  // client's scheduling or the network stack.
  let serverTime = new LatencyHistogram();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.entryType === 'gc') {
        gc = {
          count: gc.count + 1,
          totalMs: gc.totalMs + entry.duration,
          maxMs: Math.max(gc.maxMs, entry.duration),
        };
      } else if (entry.name === 'HttpRequest') serverTime.recordMs(entry.duration);
    }
  }).observe({ entryTypes: ['http', 'gc'] });

  process.on('message', (msg: string) => {
    if (msg === 'reset') {
      serverTime = new LatencyHistogram();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
    } else if (msg === 'stats') {
      const stats: Stats = {
        type: 'stats',
        rssBytes: process.memoryUsage().rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        server: serverTime.summary(),
        gc,
      };
      process.send?.(stats);
    } else if (msg === 'stop') {
      clearInterval(writer);
      void server
        .close()
        .then(() => opened.close())
        .then(() => process.exit(0));
    }
  });
  // The parent is gone (Ctrl-C, crash): do not linger holding the store.
  process.on('disconnect', () => process.exit(0));
  const ready: Ready = {
    type: 'ready',
    url: server.url,
    snapshots,
    assessments,
    seedMs,
    rssBytes: process.memoryUsage().rss,
  };
  process.send?.(ready);
}

// ---- The load generator ---------------------------------------------------------------------

interface PhaseResult {
  readonly latency: LatencyHistogram;
  readonly count: number;
  readonly errors: number;
  readonly errorKinds: Map<string, number>;
  /** Actual fire time − scheduled time: how far the generator itself fell behind. */
  readonly maxLagMs: number;
}

/** Fires `rate × seconds` GETs on a fixed timetable; resolves when every one has answered. */
function openLoop(url: string, rate: number, seconds: number, agent: Agent): Promise<PhaseResult> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latency = new LatencyHistogram();
  const errorKinds = new Map<string, number>();
  let done = 0;
  let errors = 0;
  let maxLagMs = 0;
  const start = performance.now() + 20;

  return new Promise((resolve) => {
    const finish = (scheduled: number, error?: string): void => {
      latency.recordMs(performance.now() - scheduled);
      if (error !== undefined) {
        errors += 1;
        errorKinds.set(error, (errorKinds.get(error) ?? 0) + 1);
      }
      done += 1;
      if (done === total) resolve({ latency, count: total, errors, errorKinds, maxLagMs });
    };
    const fire = (scheduled: number): void => {
      maxLagMs = Math.max(maxLagMs, performance.now() - scheduled);
      const req = get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          finish(scheduled, res.statusCode === 200 ? undefined : `HTTP ${String(res.statusCode)}`);
        });
        res.on('error', (err) => finish(scheduled, err.message));
      });
      req.on('error', (err) =>
        finish(scheduled, (err as NodeJS.ErrnoException).code ?? err.message),
      );
    };
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(start + next * interval);
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    if (total === 0) resolve({ latency, count: 0, errors: 0, errorKinds, maxLagMs: 0 });
    else setTimeout(tick, 20);
  });
}

function once<T extends ChildMessage>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: ChildMessage): void => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg as T);
    };
    const onExit = (code: number | null): void => {
      reject(new Error(`the server process exited (code ${String(code)}) before answering`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function drive(): Promise<void> {
  const rate = positive('rate', values.rate, 1);
  const seconds = positive('seconds', values.seconds, 1);
  const warmup = positive('warmup-seconds', values['warmup-seconds']);
  const p99Max = positive('p99-max-ms', values['p99-max-ms']);
  const path = values.path;
  const dir = mkdtempSync(join(tmpdir(), 'headway-bench-api-'));
  const script = fileURLToPath(import.meta.url);
  const args = ['--serve', '--dir', dir, '--history-hours', values['history-hours']];
  if (values['cache-ms'] !== undefined) args.push('--cache-ms', values['cache-ms']);
  const child = fork(script, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });

  try {
    process.stderr.write('seeding the store and starting the API…\n');
    const ready = await once<Ready>(child, 'ready');
    process.stderr.write(
      `store: PGlite in ${dir}, ${String(ready.snapshots)} snapshots, ${String(ready.assessments)} assessments (${(ready.seedMs / 1000).toFixed(1)} s to seed)\n`,
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const url = `${ready.url}${path}`;
    if (warmup > 0) {
      process.stderr.write(`warm-up: ${String(warmup)} s at ${String(rate)}/s…\n`);
      await openLoop(url, rate, warmup, agent);
    }
    child.send('reset');
    process.stderr.write(`measuring: ${String(seconds)} s at ${String(rate)}/s…\n`);
    const result = await openLoop(url, rate, seconds, agent);
    agent.destroy();
    child.send('stats');
    const stats = await once<Stats>(child, 'stats');

    const s = result.latency.summary();
    const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
    const cache = values['cache-ms'] === undefined ? 'API default' : `${values['cache-ms']} ms`;
    console.log(
      `bench:api GET ${path}: open loop, ${String(rate)} req/s for ${String(seconds)} s (read cache: ${cache})`,
    );
    console.log(`  requests  ${String(result.count)}   errors ${String(result.errors)}`);
    for (const [kind, n] of result.errorKinds) console.log(`    ${kind}: ${String(n)}`);
    console.log(
      `  latency from the scheduled time, ms: p50 ${String(s.p50)}  p90 ${String(s.p90)}  p99 ${String(s.p99)}  max ${String(s.max)}`,
    );
    const t = stats.server;
    console.log(
      `  time inside the server, ms:          p50 ${String(t.p50)}  p90 ${String(t.p90)}  p99 ${String(t.p99)}  max ${String(t.max)}  (${String(t.count)} requests)`,
    );
    console.log(
      `  server GC: ${String(stats.gc.count)} pauses, ${stats.gc.totalMs.toFixed(1)} ms in all, longest ${stats.gc.maxMs.toFixed(2)} ms`,
    );
    console.log(`  generator lag (fire − schedule), max: ${result.maxLagMs.toFixed(2)} ms`);
    // PGlite (PostgreSQL in WebAssembly) holds about 500 MB on its own, and peaks near twice that
    // while it starts; the API's share is the growth under load.
    console.log(
      `  server RSS: ${mb(ready.rssBytes)} before the load, ${mb(stats.rssBytes)} after, ${mb(stats.maxRssBytes)} peak (PGlite start and seeding included)`,
    );
    const failures = [
      ...(s.p99 >= p99Max ? [`p99 ${String(s.p99)} ms ≥ ${String(p99Max)} ms`] : []),
      ...(result.errors > 0 ? [`${String(result.errors)} failed requests`] : []),
    ];
    if (failures.length > 0) {
      console.log(`FAIL: ${failures.join('; ')}`);
      process.exitCode = 1;
    } else {
      console.log(`PASS: p99 ${String(s.p99)} ms < ${String(p99Max)} ms, no errors`);
    }
  } finally {
    child.send('stop');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.serve) {
  if (values.dir === undefined) throw new Error('--serve needs --dir');
  await serve(values.dir);
} else {
  await drive();
}
