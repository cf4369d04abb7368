import { writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

import { Command } from 'commander';
import { z } from 'zod';

import { compareResults } from '../bench/compare.js';
import { findMaxRate, formatFindMax } from '../bench/find-max.js';
import { renderReport } from '../bench/report.js';
import { readBenchResults } from '../bench/results-file.js';
import { formatSummary, type BenchResults } from '../bench/results.js';
import { freshNamespace, runBenchmark } from '../bench/run-benchmark.js';
import { WORKFLOW_TYPES } from '../bench/workflow-types.js';
import { describeConnection } from '../config/temporal.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { createRootLogger } from '../log/logger.js';
import { prometheusClientFor } from '../signals/source.js';
import { findFreePorts } from '../os/ports.js';
import { localMonitoredAddress, signalsConfig } from '../stack/stack-config.js';
import { liveServices, readStackRecord, stateLayout } from '../stack/state.js';
import { installRuntime } from '../temporal/runtime.js';

import { formatTable, progressPrinter, type Io } from './output.js';
import { parseDuration } from './duration.js';
import {
  loadTemporalCommandConfig,
  withTemporalOptions,
  type TemporalCommandConfig,
  type TemporalOptions,
} from './temporal-options.js';

interface RunFlags extends TemporalOptions {
  workflowType: string;
  rate: string;
  duration: string;
  rampUp?: string;
  workers: string;
  iterations: string;
  activityCount: string;
  timerDuration: string;
  childCount: string;
  taskQueue: string;
  maxP99Latency: string;
  minThroughput?: string;
  completionTimeout?: string;
  maxInFlight: string;
  lagTolerance: string;
  generatorOnly?: boolean;
  workerOnly?: boolean;
  eagerStart?: boolean;
  prometheus?: string;
  json?: string;
}

const count = (what: string, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(max, `${what} must be at most ${max}`);

/** The validated `bench run` settings (durations in ms). */
const RunSettingsSchema = z
  .object({
    workflowType: z.enum(WORKFLOW_TYPES, {
      error: `--workflow-type must be one of ${WORKFLOW_TYPES.join(', ')}`,
    }),
    rate: z.coerce
      .number({ error: '--rate must be a number' })
      .gt(0, '--rate must be above 0')
      .max(10_000, '--rate must be at most 10000'),
    durationMs: z.number().min(1_000, '--duration must be at least 1s'),
    rampUpMs: z.number().min(0),
    workers: count('--workers', 100),
    iterations: count('--iterations', 100),
    activityCount: count('--activity-count', 1_000),
    timerDurationMs: z.number().min(0),
    childCount: count('--child-count', 1_000),
    maxP99LatencyMs: z.number().gt(0, '--max-p99-latency must be above 0'),
    minThroughput: z.coerce.number().min(0, '--min-throughput must be at least 0').optional(),
    completionTimeoutMs: z.number().min(0).optional(),
    maxInFlight: count('--max-in-flight', 100_000),
    lagToleranceMs: z.number().min(0),
  })
  .refine((s) => s.rampUpMs < s.durationMs, {
    message:
      '--ramp-up must be shorter than --duration (or leave it out: 30 s, or a quarter of a shorter run)',
  });

/** The bench's own namespace when none is given (not $TEMPORAL_NAMESPACE): runs never mix. */
const BENCH_NAMESPACE_HELP = 'namespace (default: a fresh bench-<id>, registered for the run)';

/** Where both bench commands connect when no address is given. */
const DEFAULT_ADDRESS_HELP =
  '\nDefault address: temporal.address / $TEMPORAL_ADDRESS, else the local stack (headway up).';

export function benchCommand(io: Io): Command {
  const bench = new Command('bench').description(
    'Benchmark a Temporal cluster with open-loop load and honest results (docs/bench.md).',
  );
  bench.addCommand(configure(io, runCommand(io)));
  bench.addCommand(configure(io, findMaxCommand(io)));
  bench.addCommand(configure(io, reportCommand(io)));
  bench.addCommand(configure(io, compareCommand(io)));
  return bench;
}

function configure(io: Io, command: Command): Command {
  return command
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
}

function runCommand(io: Io): Command {
  return withWorkloadShape(withTemporalOptions(new Command('run'), BENCH_NAMESPACE_HELP))
    .description(
      'Start workflows at a fixed rate (linear ramp-up, then constant) whatever the server does, ' +
        'run them on in-process workers, and report start rate, completion rate, drain time and ' +
        'latency from the intended start time. Exit 0 passed, 1 failed thresholds, 2 usage.',
    )
    .option('--rate <n>', 'workflow starts per second', '100')
    .option('--duration <d>', 'generation window, ramp-up included', '5m')
    .option(
      '--ramp-up <d>',
      'linear ramp from 10% of the rate (at least 1/s) (default: 30s, or a quarter of --duration ' +
        'when that is shorter)',
    )
    .option('--workers <n>', 'worker instances on the task queue (one has slots for all)', '1')
    .option('--iterations <n>', 'runs of the whole schedule; results merge', '1')
    .option('-q, --task-queue <queue>', 'task queue', 'headway-bench')
    .option('--max-p99-latency <d>', 'fail when the end-to-end p99 is above', '5s')
    .option('--min-throughput <n>', 'fail when completions/s are below (default 95% of --rate)')
    .option(
      '--completion-timeout <d>',
      'how long workflows may finish after the window (default min(max(60s, duration), 10m))',
    )
    .option('--max-in-flight <n>', 'starts sent but not yet accepted, at most', '1000')
    .option(
      '--lag-tolerance <d>',
      'a start later than this counts as the generator falling behind',
      '100ms',
    )
    .option('--generator-only', 'start workflows only; workers run elsewhere (`--worker-only`)')
    .option('--worker-only', 'run the workers only, until Ctrl-C')
    .option(
      '--eager-start',
      'ask the server to hand each first workflow task to the in-process workers in the ' +
        "start's answer (eager workflow start: no trip through matching for it)",
    )
    .option('--prometheus <url>', 'Prometheus for state transitions/s (default: the local stack)')
    .option('--json <file>', 'write the results as JSON to FILE')
    .addHelpText(
      'after',
      `${DEFAULT_ADDRESS_HELP}\n` +
        'Default namespace: a fresh bench-<id>, registered for the run ($TEMPORAL_NAMESPACE is\n' +
        'not used; --generator-only and --worker-only need an explicit --namespace so the two\n' +
        'sides meet).',
    )
    .action(async (flags: RunFlags) => {
      await runAction(io, flags);
    });
}

function usage(message: string, hint?: string): HeadwayError {
  return new HeadwayError(ErrorCode.Usage, message, hint === undefined ? {} : { hint });
}

/** Without --ramp-up: 30 s, or a quarter of a shorter run (`--duration 20s` ramps for 5 s). */
export function defaultRampUpMs(durationMs: number): number {
  return Math.min(30_000, Math.floor(durationMs / 4));
}

function parseRunSettings(flags: RunFlags) {
  const durationMs = parseDuration(flags.duration, '--duration');
  const parsed = RunSettingsSchema.safeParse({
    workflowType: flags.workflowType,
    rate: flags.rate,
    durationMs,
    rampUpMs:
      flags.rampUp === undefined
        ? defaultRampUpMs(durationMs)
        : parseDuration(flags.rampUp, '--ramp-up'),
    workers: flags.workers,
    iterations: flags.iterations,
    activityCount: flags.activityCount,
    timerDurationMs: parseDuration(flags.timerDuration, '--timer-duration'),
    childCount: flags.childCount,
    maxP99LatencyMs: parseDuration(flags.maxP99Latency, '--max-p99-latency'),
    minThroughput: flags.minThroughput,
    completionTimeoutMs:
      flags.completionTimeout === undefined
        ? undefined
        : parseDuration(flags.completionTimeout, '--completion-timeout'),
    maxInFlight: flags.maxInFlight,
    lagToleranceMs: parseDuration(flags.lagTolerance, '--lag-tolerance'),
  });
  if (!parsed.success) {
    throw new HeadwayError(ErrorCode.Usage, 'invalid bench settings', {
      details: parsed.error.issues.map((i) => i.message),
      hint: 'change the flags listed above; `headway bench run --help` lists them',
    });
  }
  return parsed.data;
}

/** The connection, with the run's namespace; the local stack's server unless one is named. */
function benchConnection(flags: TemporalOptions, namespace: string): TemporalCommandConfig {
  return loadTemporalCommandConfig({ ...flags, namespace });
}

async function runAction(io: Io, flags: RunFlags): Promise<void> {
  if (flags.generatorOnly === true && flags.workerOnly === true) {
    throw usage('--generator-only and --worker-only exclude each other');
  }
  if (flags.eagerStart === true && (flags.generatorOnly === true || flags.workerOnly === true)) {
    throw usage(
      '--eager-start needs the workers in this process',
      'drop --generator-only / --worker-only, or drop --eager-start',
    );
  }
  if (
    (flags.generatorOnly === true || flags.workerOnly === true) &&
    flags.namespace === undefined
  ) {
    throw usage(
      `${flags.generatorOnly === true ? '--generator-only' : '--worker-only'} needs --namespace`,
      'give the generator and the workers the same --namespace and --task-queue',
    );
  }
  const settings = parseRunSettings(flags);
  const { config, connection } = benchConnection(flags, flags.namespace ?? freshNamespace());
  const progress = progressPrinter(io);
  const logger = createRootLogger({ component: 'bench', level: 'warn' });
  const targetsDir = stateLayout(config.state_dir).prometheusTargets;

  // SDK worker metrics need the runtime before the first native connection.
  let sdkMetricsAddress: string | undefined;
  if (flags.generatorOnly !== true) {
    sdkMetricsAddress = `127.0.0.1:${(await findFreePorts(1))[0]!}`;
    installRuntime({ logger, metricsBindAddress: sdkMetricsAddress });
  }

  if (flags.workerOnly === true) {
    const address = sdkMetricsAddress!;
    // Loaded only here: the SDK's worker is not needed by a generator alone.
    const { runBenchWorkersOnly } = await import('../bench/workers-only.js');
    await runBenchWorkersOnly({
      connection,
      taskQueue: flags.taskQueue,
      count: settings.workers,
      bundleCacheDir: config.cache_dir,
      targetsDir,
      sdkMetricsAddress: address,
      logger,
      onRunning: () =>
        io.out(
          `${settings.workers} bench worker(s) polling ${flags.taskQueue} on ` +
            `${describeConnection(connection)}\n  SDK metrics: http://${address}/metrics\n` +
            'Ctrl-C to stop.\n',
        ),
    });
    io.out('Workers stopped.\n');
    return;
  }

  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) return;
    io.err('\nstopping: no new starts; waiting for started workflows (Ctrl-C again to quit)\n');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  progress(`benchmarking ${describeConnection(connection)}`);
  let results: BenchResults;
  try {
    results = await runBenchmark({
      workflowType: settings.workflowType,
      targetRate: settings.rate,
      durationMs: settings.durationMs,
      rampUpMs: settings.rampUpMs,
      workers: settings.workers,
      bundleCacheDir: config.cache_dir,
      iterations: settings.iterations,
      activityCount: settings.activityCount,
      timerDurationMs: settings.timerDurationMs,
      childCount: settings.childCount,
      connection,
      taskQueue: flags.taskQueue,
      thresholds: {
        maxP99LatencyMs: settings.maxP99LatencyMs,
        minThroughput: settings.minThroughput ?? Math.round(settings.rate * 0.95 * 1_000) / 1_000,
      },
      generatorOnly: flags.generatorOnly === true,
      eagerStart: flags.eagerStart === true,
      ...(settings.completionTimeoutMs === undefined
        ? {}
        : { completionTimeoutMs: settings.completionTimeoutMs }),
      maxInFlightStarts: settings.maxInFlight,
      lagToleranceMs: settings.lagToleranceMs,
      targetsDir,
      ...(sdkMetricsAddress === undefined ? {} : { sdkMetricsAddress }),
      prometheus: prometheusClientFor(signalsConfig(config, flags.prometheus), {
        url: flags.prometheus,
      }),
      progress,
      logger,
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.json !== undefined) {
    writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results written to ${flags.json}`);
  }
  io.out(formatSummary(results));
  if (!results.passed) process.exitCode = 1;
}

interface FindMaxFlags extends TemporalOptions {
  workflowType: string;
  startRate: string;
  maxSteps: string;
  stepDuration: string;
  rampUp: string;
  maxP99Latency: string;
  workers: string;
  activityCount: string;
  timerDuration: string;
  childCount: string;
  taskQueue: string;
  serverPid?: string;
  json?: boolean;
}

const FindMaxSettingsSchema = z
  .object({
    workflowType: z.enum(WORKFLOW_TYPES, {
      error: `--workflow-type must be one of ${WORKFLOW_TYPES.join(', ')}`,
    }),
    startRate: z.coerce
      .number({ error: '--start-rate must be a number' })
      .gt(0, '--start-rate must be above 0')
      .max(10_000, '--start-rate must be at most 10000'),
    maxSteps: count('--max-steps', 50),
    stepDurationMs: z.number().min(5_000, '--step-duration must be at least 5s'),
    rampUpMs: z.number().min(0),
    maxP99LatencyMs: z.number().gt(0, '--max-p99-latency must be above 0'),
    workers: count('--workers', 100),
    activityCount: count('--activity-count', 1_000),
    timerDurationMs: z.number().min(0),
    childCount: count('--child-count', 1_000),
  })
  .refine((s) => s.rampUpMs < s.stepDurationMs, {
    message: '--ramp-up must be shorter than --step-duration',
  });

/** The workload options `bench run` and `bench find-max` share: which workflow, and its shape. */
function withWorkloadShape(command: Command): Command {
  return command
    .option('--workflow-type <type>', WORKFLOW_TYPES.join('|'), 'simple')
    .option(
      '--activity-count <n>',
      'activities per multi-activity / state-transitions workflow',
      '10',
    )
    .option('--timer-duration <d>', 'timer of the timer workflow', '1s')
    .option('--child-count <n>', 'children per child-workflow workflow', '3');
}

function findMaxCommand(io: Io): Command {
  return withWorkloadShape(withTemporalOptions(new Command('find-max'), BENCH_NAMESPACE_HELP))
    .description(
      'Find the highest rate the cluster sustains: short generator-only runs against workers in ' +
        'a separate process, the rate doubling until a step fails (start rate < 99% of the target, ' +
        'completions < 95%, p99 over the threshold, or any workflow not completed), then bisected. ' +
        "Reports each step's server, worker and generator CPU share.",
    )
    .option('--start-rate <n>', 'first step, starts per second', '20')
    .option('--max-steps <n>', 'steps at most', '8')
    .option('--step-duration <d>', 'generation window of each step, ramp-up included', '30s')
    .option('--ramp-up <d>', 'ramp-up of each step', '5s')
    .option('--max-p99-latency <d>', 'a step with a higher end-to-end p99 is not sustained', '5s')
    .option('--workers <n>', 'worker instances in the worker process', '1')
    .option('-q, --task-queue <queue>', 'task queue', 'headway-bench-find-max')
    .option(
      '--server-pid <pid>',
      "the server's process on this host, for its CPU share (default: the local stack's)",
    )
    .option('--json', 'print the result as JSON (progress stays on stderr)')
    .addHelpText(
      'after',
      `${DEFAULT_ADDRESS_HELP}\n` +
        'Default namespace: a fresh bench-<id>, registered for the search\n' +
        '($TEMPORAL_NAMESPACE is not used); each step runs on a task queue of its own,\n' +
        '<task queue>-<step>.',
    )
    .action(async (flags: FindMaxFlags) => {
      const parsed = FindMaxSettingsSchema.safeParse({
        workflowType: flags.workflowType,
        startRate: flags.startRate,
        maxSteps: flags.maxSteps,
        stepDurationMs: parseDuration(flags.stepDuration, '--step-duration'),
        rampUpMs: parseDuration(flags.rampUp, '--ramp-up'),
        maxP99LatencyMs: parseDuration(flags.maxP99Latency, '--max-p99-latency'),
        workers: flags.workers,
        activityCount: flags.activityCount,
        timerDurationMs: parseDuration(flags.timerDuration, '--timer-duration'),
        childCount: flags.childCount,
      });
      if (!parsed.success) {
        throw new HeadwayError(ErrorCode.Usage, 'invalid find-max settings', {
          details: parsed.error.issues.map((i) => i.message),
          hint: 'change the flags listed above; `headway bench find-max --help` lists them',
        });
      }
      const s = parsed.data;
      const { config, connection } = benchConnection(flags, flags.namespace ?? freshNamespace());
      const serverPid =
        flags.serverPid === undefined
          ? localServerPid(config, connection.address)
          : Number(flags.serverPid);
      if (serverPid !== undefined && !(Number.isInteger(serverPid) && serverPid > 0)) {
        throw usage('--server-pid must be a process id');
      }
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const progress = progressPrinter(io);
      progress(
        `finding the highest sustained ${s.workflowType} rate on ${describeConnection(connection)}`,
      );
      try {
        const result = await findMaxRate({
          ...s,
          connection,
          taskQueue: flags.taskQueue,
          workerArgs: [
            ...(flags.tls === true ? ['--tls'] : []),
            ...(flags.profile === undefined ? [] : ['--profile', flags.profile]),
            ...(flags.config === undefined ? [] : ['--config', flags.config]),
            ...(flags.stateDir === undefined ? [] : ['--state-dir', flags.stateDir]),
          ],
          ...(serverPid === undefined ? {} : { serverPid }),
          progress,
          logger: createRootLogger({ component: 'bench', level: 'warn' }),
          signal: abort.signal,
        });
        io.out(
          flags.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatFindMax(result),
        );
        if (result.maxSustainedRate === null) process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** The local stack's monitored server's pid when `address` is that server; else undefined. */
function localServerPid(
  config: TemporalCommandConfig['config'],
  address: string,
): number | undefined {
  if (address !== localMonitoredAddress(config)) return undefined;
  try {
    const record = readStackRecord(config.state_dir);
    const service =
      record === undefined
        ? undefined
        : liveServices(record).find((s) => s.name === 'temporal-monitored');
    return service?.pid;
  } catch {
    return undefined;
  }
}

function reportCommand(io: Io): Command {
  return new Command('report')
    .description('Write a markdown report with a latency/throughput chart (SVG beside it).')
    .argument('<result>', 'results JSON from `headway bench run --json`')
    .option('-o, --output <file>', 'markdown file (default: RESULT with .md)')
    .action((file: string, options: { output?: string }) => {
      const results = readBenchResults(file);
      const md = options.output ?? join(dirname(file), `${basename(file, extname(file))}.md`);
      const svg = join(dirname(md), `${basename(md, extname(md))}.svg`);
      const report = renderReport(results, basename(svg));
      writeFileSync(md, report.markdown);
      writeFileSync(svg, report.svg);
      io.out(`Report: ${md}\nChart:  ${svg}\n`);
    });
}

function compareCommand(io: Io): Command {
  return new Command('compare')
    .description('Compare two bench results (B against the baseline A); exit 1 on a regression.')
    .argument('<a>', 'baseline results JSON')
    .argument('<b>', 'candidate results JSON')
    .option('--tolerance <percent>', 'relative change that counts as a regression', '10')
    .option('--json', 'print the comparison as JSON')
    .action((a: string, b: string, options: { tolerance: string; json?: boolean }) => {
      const tolerance = Number(options.tolerance);
      if (!(tolerance >= 0)) throw usage('--tolerance must be a percentage ≥ 0');
      const comparison = compareResults(readBenchResults(a), readBenchResults(b), tolerance / 100);
      if (options.json === true) {
        io.out(`${JSON.stringify(comparison, null, 2)}\n`);
      } else {
        io.out(
          formatTable(
            ['metric', 'A', 'B', 'change', ''],
            comparison.rows.map((r) => [
              r.metric,
              String(r.baseline),
              String(r.candidate),
              r.change === null
                ? '-'
                : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`,
              r.regression ? 'REGRESSION' : '',
            ]),
          ),
        );
        for (const c of comparison.caveats) io.out(`note: ${c}\n`);
        io.out(
          comparison.regressions === 0
            ? 'No regression.\n'
            : `${comparison.regressions} regression(s) beyond ${tolerance}%.\n`,
        );
      }
      if (comparison.regressions > 0) process.exitCode = 1;
    });
}
