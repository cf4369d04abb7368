/**
 * Several scenarios, several times: each run of each scenario in a process of its own (the SDK's
 * runtime and its metrics are per process, and a worker's series outlive the worker), one after
 * another (they share two CPUs), gathered into one report.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { errorMessage } from '../errors.js';

import {
  SUITE_SCHEMA,
  machineInfo,
  renderSuiteMarkdown,
  summarize,
  type ResultSummary,
  type SuiteReport,
} from './report.js';
import { RESULT_SCHEMA, type ScenarioResult } from './run-scenario.js';

const HEADWAY_BIN = fileURLToPath(new URL('../../bin/headway.js', import.meta.url));

export interface SuiteOptions {
  readonly scenarios: readonly string[];
  readonly runs: number;
  /** Where the report goes: report.md, report.json, and runs/<n>/<scenario>.json (full results). */
  readonly reportDir: string;
  readonly progress: (message: string) => void;
  /** CI pace (`--quick`) for every run. */
  readonly quick?: boolean;
  /** `--profile cluster` for every run (scenarios that need it get it anyway). */
  readonly profile?: 'dev' | 'cluster';
  /** The CLI each run is started with (default: this checkout's bin/headway.js). */
  readonly entry?: readonly string[];
  readonly signal?: AbortSignal;
}

/** Runs `headway scenario run NAME [--quick] --json FILE` in a child and reads its result. */
async function runChild(
  entry: readonly string[],
  args: readonly string[],
  jsonFile: string,
  signal: AbortSignal | undefined,
): Promise<ScenarioResult | string> {
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      entry[0]!,
      [...entry.slice(1), 'scenario', 'run', ...args, '--json', jsonFile],
      {
        // Progress lines go straight through; the result comes back through the file.
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    // Asked to stop, the child tears its own stack down before it exits.
    const stop = (): void => {
      child.kill('SIGINT');
    };
    signal?.addEventListener('abort', stop, { once: true });
    child.on('error', () => resolve(null));
    child.on('close', (c) => {
      signal?.removeEventListener('abort', stop);
      resolve(c);
    });
  });
  try {
    const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as ScenarioResult;
    if (result.schema !== RESULT_SCHEMA) return `${jsonFile} is not a scenario result`;
    return result;
  } catch (err) {
    return (
      `the run exited with ${String(code)} after ${Math.round((Date.now() - started) / 1_000)} s ` +
      `without a result (${errorMessage(err)})`
    );
  }
}

function errorResult(name: string, error: string): ResultSummary {
  return {
    schema: RESULT_SCHEMA,
    scenario: name,
    summary: '',
    proves: '',
    expected: '',
    fault: null,
    started_at: new Date().toISOString(),
    duration_s: 0,
    stack_up_s: null,
    settings: {
      cadenceS: 0,
      scrapeInterval: '',
      queryTimeoutMs: 0,
      scheduledIntervalS: 0,
      warmupMinS: 0,
      warmupMaxS: 0,
      quick: false,
      profile: 'dev',
      thresholds: {},
    },
    load: null,
    load_counts: null,
    phases: [],
    expectations: [],
    detection_s: null,
    recovery_s: null,
    trajectory: '',
    passed: false,
    error,
    polls: { total: 0, unanswered: 0 },
    notes: [],
  };
}

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const entry = options.entry ?? [process.execPath, HEADWAY_BIN];
  const started = new Date();
  const runs: ResultSummary[][] = [];
  const write = (): SuiteReport => {
    const report: SuiteReport = {
      schema: SUITE_SCHEMA,
      started_at: started.toISOString(),
      duration_s: Math.round((Date.now() - started.getTime()) / 1_000),
      machine: machineInfo(),
      scenarios: options.scenarios,
      runs,
      passed:
        runs.length === options.runs &&
        runs.every((run) => run.length === options.scenarios.length && run.every((r) => r.passed)),
    };
    // Written after every scenario, so an interrupted suite still leaves what it measured.
    writeFileSync(join(options.reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.reportDir, 'report.md'), renderSuiteMarkdown(report));
    return report;
  };

  mkdirSync(options.reportDir, { recursive: true });
  for (let i = 1; i <= options.runs; i++) {
    const dir = join(options.reportDir, 'runs', String(i));
    mkdirSync(dir, { recursive: true });
    const run: ResultSummary[] = [];
    runs.push(run);
    for (const name of options.scenarios) {
      if (options.signal?.aborted === true) return write();
      options.progress(`run ${i}/${options.runs}: ${name}`);
      const outcome = await runChild(
        entry,
        [
          name,
          ...(options.quick === true ? ['--quick'] : []),
          ...(options.profile === undefined ? [] : ['--profile', options.profile]),
        ],
        join(dir, `${name}.json`),
        options.signal,
      );
      const summary = typeof outcome === 'string' ? errorResult(name, outcome) : summarize(outcome);
      run.push(summary);
      options.progress(
        `run ${i}/${options.runs}: ${name} ${summary.passed ? 'passed' : 'FAILED'} in ${summary.duration_s} s`,
      );
      write();
    }
  }
  return write();
}
