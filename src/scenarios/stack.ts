/**
 * A scenario's own local stack: `headway up --detach` through the real CLI, on free ports, in a
 * temporary state dir, with short cadences; `headway down --volumes` at the end, whatever happened.
 * Faults that act on the stack signal its processes by the pids in its own stack.json, checked
 * against their recorded start times, so nothing else on the machine is ever touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { ErrorCode, HeadwayError, headwayErrorFromJSON } from '../errors.js';
import type { ThresholdOverrides } from '../health/thresholds.js';
import { isRunning, signal } from '../os/process-identity.js';
import { freeClusterPorts } from '../stack/ports.js';
import {
  freeStackPorts,
  readStackRecord,
  stateLayout,
  type ServiceName,
  type ServiceRecord,
} from '../stack/index.js';

const HEADWAY_BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

export interface StackSettings {
  readonly profile: 'dev' | 'cluster';
  readonly cadenceS: number;
  /** Prometheus scrape interval, e.g. `1s`. */
  readonly scrapeInterval: string;
  readonly queryTimeoutMs: number;
  /** Scheduled assessments refresh the summary (and the bottleneck it names) this often. */
  readonly scheduledIntervalS: number;
  readonly thresholds: ThresholdOverrides;
}

export interface ScenarioStack {
  readonly stateDir: string;
  readonly temporalAddress: string;
  readonly prometheusUrl: string;
  readonly apiUrl: string;
  readonly targetsDir: string;
  /** The service as stack.json records it now (its pid changes when the supervisor restarts it). */
  readonly service: (name: ServiceName) => ServiceRecord;
  /** Signals a service of this stack by its recorded pid; false when it is not running. */
  readonly signal: (name: ServiceName, sig: NodeJS.Signals) => boolean;
  /** `headway down --volumes`, then the state dir is removed. Safe to call more than once. */
  readonly down: () => Promise<void>;
  /** Why the first attempt to bring the stack up failed, when a second one was needed. */
  readonly retriedAfter: string | null;
}

/**
 * The environment of the stack's CLI calls: this process's, without any Headway or Temporal
 * setting that would point the stack elsewhere or change its explainer, plus the stack's own.
 */
function stackEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = new Set(['HEADWAY_TEMPORAL_BIN', 'HEADWAY_PROMETHEUS_BIN', 'HEADWAY_CACHE_DIR']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if ((k.startsWith('HEADWAY_') || k.startsWith('TEMPORAL_')) && !keep.has(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The stack's headway.yml: no UIs (nobody looks), the short query timeout, the overrides. */
export function renderStackConfig(settings: StackSettings): string {
  return stringify({
    stack: {
      ...(settings.profile === 'cluster' ? { profile: 'cluster', cluster: { ui: false } } : {}),
      monitored: { ui: false },
      copilot: { ui: false },
    },
    signals: {
      query_timeout_ms: settings.queryTimeoutMs,
      thresholds: settings.thresholds,
    },
  });
}

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [HEADWAY_BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new HeadwayError(
          ErrorCode.ReadinessTimeout,
          `headway ${args.join(' ')} did not finish within ${timeoutMs / 1_000} s`,
          { details: stderr.trim().split('\n').slice(-10) },
        ),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI's own error (`error[CODE]: message`) when it printed one. */
function cliError(what: string, result: CliResult): HeadwayError {
  const lines = result.stderr.trim().split('\n');
  const match = /^error\[([A-Z_]+)\]: (.*)$/m.exec(result.stderr);
  if (match !== null) {
    return headwayErrorFromJSON({
      code: match[1]!,
      message: `${what}: ${match[2]!}`,
      details: lines.slice(-10),
    });
  }
  return new HeadwayError(ErrorCode.ServiceExited, `${what} (exit ${String(result.code)})`, {
    details: lines.slice(-10),
  });
}

/** The last lines of each service log of a stack that did not come up: read before teardown. */
function logTails(stateDir: string, lines = 5): string[] {
  const dir = join(stateDir, 'logs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => {
      const tail = readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').slice(-lines);
      return tail.map((l) => `${f}: ${l.slice(0, 300)}`);
    });
}

/**
 * Brings a scenario stack up, once more on fresh ports and a fresh state dir if the first attempt
 * does not come up: the stack's start is not what a scenario judges, and on a shared machine a
 * free port picked for it can be taken before the server binds it. The first failure, with the
 * tails of its service logs, is kept for the report.
 */
export async function startScenarioStack(
  settings: StackSettings,
  progress: (message: string) => void,
): Promise<ScenarioStack> {
  try {
    return await startOnce(settings, progress, null);
  } catch (err) {
    if (!(err instanceof HeadwayError) || err.code === ErrorCode.Usage) throw err;
    const first = [err.message, ...err.details].join(' | ');
    progress(`the stack did not come up (${err.message}); trying once more on fresh ports`);
    return startOnce(settings, progress, first);
  }
}

async function startOnce(
  settings: StackSettings,
  progress: (message: string) => void,
  retriedAfter: string | null,
): Promise<ScenarioStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'headway-scenario-'));
  const ports = await freeStackPorts();
  const configFile = join(stateDir, 'headway.yml');
  writeFileSync(configFile, renderStackConfig(settings));
  const env = stackEnv({
    HEADWAY_STATE_DIR: stateDir,
    HEADWAY_CONFIG: configFile,
    HEADWAY_CADENCE_S: String(settings.cadenceS),
    HEADWAY_SCRAPE_INTERVAL: settings.scrapeInterval,
    HEADWAY_SCHEDULED_INTERVAL_S: String(settings.scheduledIntervalS),
    ...ports.env,
    ...(settings.profile === 'cluster'
      ? { ...(await freeClusterPorts()), HEADWAY_READY_TIMEOUT_S: '300' }
      : {}),
  });

  // The last resort: a process that exits without tearing its stack down (a crash, an exit from
  // elsewhere) still stops what it started, synchronously, since nothing async runs after 'exit'.
  const downOnExit = (): void => {
    spawnSync(process.execPath, [HEADWAY_BIN, 'down', '--volumes'], {
      env,
      stdio: 'ignore',
      timeout: 60_000,
    });
    rmSync(stateDir, { recursive: true, force: true });
  };
  process.once('exit', downOnExit);

  let downed: Promise<void> | undefined;
  const down = (): Promise<void> => {
    downed ??= (async () => {
      process.off('exit', downOnExit);
      // A paused Prometheus would hold `down` until its grace runs out; let it go first.
      const record = readStackRecord(stateDir);
      for (const s of record?.services ?? []) if (isRunning(s)) signal(s, 'SIGCONT');
      try {
        const result = await runCli(['down', '--volumes'], env, 90_000);
        if (result.code !== 0) progress(`headway down failed: ${result.stderr.trim()}`);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    })();
    return downed;
  };

  progress(`starting a stack in ${stateDir} (API ${ports.apiUrl})`);
  const up = await runCli(
    ['up', '--detach', '--json'],
    env,
    settings.profile === 'cluster' ? 420_000 : 240_000,
  ).catch(async (err: unknown) => {
    await down();
    throw err;
  });
  if (up.code !== 0) {
    const failure = cliError('the scenario stack did not come up', up);
    const tails = logTails(stateDir);
    await down();
    throw tails.length === 0
      ? failure
      : new HeadwayError(failure.code, failure.message, {
          details: [...failure.details, ...tails],
        });
  }

  const service = (name: ServiceName): ServiceRecord => {
    const s = readStackRecord(stateDir)?.services.find((x) => x.name === name);
    if (s === undefined) {
      throw new HeadwayError(ErrorCode.UnknownService, `the scenario stack has no ${name}`);
    }
    return s;
  };
  return {
    stateDir,
    temporalAddress: ports.temporalAddress,
    prometheusUrl: ports.prometheusUrl,
    apiUrl: ports.apiUrl,
    targetsDir: stateLayout(stateDir).prometheusTargets,
    service,
    signal: (name, sig) => {
      const s = service(name);
      if (!isRunning(s)) return false;
      signal(s, sig);
      return true;
    },
    down,
    retriedAfter,
  };
}
