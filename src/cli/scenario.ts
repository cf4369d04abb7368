import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Command, Option } from 'commander';

import { ErrorCode, HeadwayError } from '../errors.js';
import { ALL_SCENARIOS, SCENARIOS, findScenario } from '../scenarios/catalog.js';
import { renderScenarioMarkdown, resultsTable, summarize } from '../scenarios/report.js';
import { runScenario } from '../scenarios/run-scenario.js';
import { runSuite } from '../scenarios/suite.js';

import { formatTable, printJson, progressPrinter, type Io } from './output.js';

interface RunFlags {
  all?: boolean;
  quick?: boolean;
  runs: string;
  json?: string;
  md?: string;
  report?: string;
  profile?: 'dev' | 'cluster';
}

export function scenarioCommand(io: Io): Command {
  const scenario = new Command('scenario').description(
    'Put a local cluster into known conditions and check what the copilot says (docs/scenarios.md).',
  );
  scenario.addCommand(listCommand(io));
  scenario.addCommand(runCommand(io));
  return scenario;
}

function listCommand(io: Io): Command {
  return new Command('list')
    .description('List the scenarios, what each does and what the copilot must say.')
    .option('--json', 'print the list as JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json === true) {
        printJson(
          io,
          ALL_SCENARIOS.map((s) => ({
            name: s.name,
            profile: s.profile ?? 'any',
            summary: s.summary,
            proves: s.proves,
            expected: s.expected,
            fault: s.fault?.description ?? null,
            expectations: s.expectations.map((e) => ({
              id: e.id,
              description: e.description,
              ...(e.not_checked === undefined ? {} : { not_checked: e.not_checked }),
            })),
          })),
        );
        return;
      }
      io.out(
        formatTable(
          ['name', 'profile', 'expected', 'condition'],
          ALL_SCENARIOS.map((s) => [s.name, s.profile ?? 'any', s.expected, s.summary]),
        ),
      );
    });
}

function usage(message: string, hint?: string): HeadwayError {
  return new HeadwayError(ErrorCode.Usage, message, hint === undefined ? {} : { hint });
}

function runCommand(io: Io): Command {
  return new Command('run')
    .description(
      'Run scenarios, each on its own local stack (free ports, a temporary state dir, torn down ' +
        'afterwards). One name runs in this process; --all, several names or --runs N run each ' +
        'scenario in a process of its own and write one report. Exit 0 when every checked ' +
        'expectation passed, 1 otherwise.',
    )
    .argument('[names...]', `scenarios: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}`)
    .option('--all', 'every scenario of the profile (the distributed ones with --profile cluster)')
    .option('--runs <n>', 'run the selection this many times in a row', '1')
    .option('--quick', 'CI pace: 20 s warm-up, shorter baseline and holds, same expectations')
    .addOption(
      new Option(
        '--profile <profile>',
        'the stack each run gets: dev (default) or cluster (services on PostgreSQL); the ' +
          'distributed scenarios always run on the cluster profile',
      ).choices(['dev', 'cluster']),
    )
    .option('--json <file>', 'one scenario: write its result (with every observation) as JSON')
    .option('--md <file>', 'one scenario: write its result as markdown')
    .option('--report <dir>', 'several: the report directory (default ./scenario-report)')
    .action(async (names: string[], flags: RunFlags) => {
      await runAction(io, names, flags);
    });
}

async function runAction(io: Io, names: readonly string[], flags: RunFlags): Promise<void> {
  const runs = Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw usage('--runs must be 1–100');
  if (flags.all === true && names.length > 0) throw usage('give scenario names or --all, not both');
  if (flags.all !== true && names.length === 0) {
    throw usage(
      'which scenario?',
      `one of: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}, or --all`,
    );
  }
  const every = flags.profile === 'cluster' ? ALL_SCENARIOS : SCENARIOS;
  const selected = flags.all === true ? every.map((s) => s.name) : [...new Set(names)];
  for (const name of selected) findScenario(name);
  const progress = progressPrinter(io);

  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) return;
    io.err('\nstopping: tearing the scenario stack down (Ctrl-C again does not skip that)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (selected.length === 1 && runs === 1 && flags.report === undefined) {
      if (flags.all === true) throw usage('--all needs more than one scenario');
      const result = await runScenario(findScenario(selected[0]!), {
        progress,
        signal: abort.signal,
        settings: {
          quick: flags.quick === true,
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        },
      });
      if (flags.json !== undefined) {
        writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
        progress(`result written to ${flags.json}`);
      }
      if (flags.md !== undefined) {
        writeFileSync(flags.md, renderScenarioMarkdown(result));
        progress(`report written to ${flags.md}`);
      }
      io.out(`${resultsTable([summarize(result)])}\n`);
      if (!result.passed) process.exitCode = 1;
      return;
    }
    if (flags.json !== undefined || flags.md !== undefined) {
      throw usage('--json and --md are for one scenario; several write --report DIR');
    }
    const reportDir = flags.report ?? 'scenario-report';
    const report = await runSuite({
      scenarios: selected,
      runs,
      reportDir,
      progress,
      quick: flags.quick === true,
      ...(flags.profile === undefined ? {} : { profile: flags.profile }),
      // Each run is a child of the same CLI this one is (bin/headway.js, or another entry).
      ...(process.argv[1] === undefined
        ? {}
        : { entry: [process.execPath, ...process.execArgv, process.argv[1]] }),
      signal: abort.signal,
    });
    progress(`report written to ${join(reportDir, 'report.md')} and report.json`);
    for (const run of report.runs) io.out(`${resultsTable(run)}\n\n`);
    if (!report.passed) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
