/**
 * Reports of scenario runs: one scenario (`run NAME --md`) or a suite (`run --all`), in markdown
 * for people and JSON for tools. The markdown table is what docs/scenarios.md quotes.
 */
import { cpus, totalmem } from 'node:os';

import type { ScenarioResult } from './run-scenario.js';

export const SUITE_SCHEMA = 'headway-scenario-suite/1';

/** A scenario result without its observations: what the suite report keeps. */
export type ResultSummary = Omit<ScenarioResult, 'observations'>;

export interface SuiteReport {
  readonly schema: typeof SUITE_SCHEMA;
  readonly started_at: string;
  readonly duration_s: number;
  readonly machine: {
    readonly cpus: number;
    readonly cpu_model: string;
    readonly memory_gb: number;
  };
  readonly scenarios: readonly string[];
  /** One list per run of the suite, in scenario order. */
  readonly runs: readonly (readonly ResultSummary[])[];
  readonly passed: boolean;
}

export function summarize(result: ScenarioResult): ResultSummary {
  return Object.fromEntries(
    Object.entries(result).filter(([key]) => key !== 'observations'),
  ) as ResultSummary;
}

export function machineInfo(): SuiteReport['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
  };
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (x: number | null): string => (x === null ? '–' : `${x} s`);

function passText(r: ResultSummary): string {
  if (r.error !== null) return 'ERROR';
  return r.passed ? 'pass' : 'FAIL';
}

/** The table of one run: scenario, expected, observed trajectory, detection, recovery, pass. */
export function resultsTable(results: readonly ResultSummary[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${cell(r.expected)} | ${cell(r.error ?? r.trajectory)} | ${secs(r.detection_s)} | ${secs(r.recovery_s)} | ${passText(r)} |`,
  );
  return [
    '| scenario | expected | observed trajectory | detection | recovery | pass |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function stats(values: readonly (number | null)[]): string {
  const xs = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (xs.length === 0) return '–';
  if (xs.length === 1) return `${xs[0]} s`;
  const median = xs[Math.floor((xs.length - 1) / 2)]!;
  return `${median} s (${xs[0]}–${xs.at(-1)})`;
}

/** Across runs: passes, and detection/recovery as median (min–max). */
export function acrossRunsTable(report: SuiteReport): string {
  const rows = report.scenarios.map((name) => {
    const results = report.runs.map((run) => run.find((r) => r.scenario === name));
    const present = results.filter((r): r is ResultSummary => r !== undefined);
    const passes = present.filter((r) => r.passed).length;
    const first = present[0];
    return (
      `| ${name} | ${cell(first?.expected ?? '')} | ${stats(present.map((r) => r.detection_s))} | ` +
      `${stats(present.map((r) => r.recovery_s))} | ${passes}/${report.runs.length} |`
    );
  });
  return [
    '| scenario | expected | detection, median (min–max) | recovery, median (min–max) | passed runs |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function expectationLines(r: ResultSummary): string[] {
  return r.expectations.map((e) => {
    const mark = e.status === 'pass' ? '✓' : e.status === 'fail' ? '✗' : '○';
    const label = e.status === 'not_checked' ? 'documented, not checked' : e.status;
    return `- ${mark} ${e.description} — ${label}: ${e.detail}`;
  });
}

/** The settings every run of the report used (from the first result). */
function settingsLines(r: ResultSummary | undefined): string[] {
  if (r === undefined) return [];
  const s = r.settings;
  return [
    `Copilot cadence ${s.cadenceS} s, Prometheus scrape ${s.scrapeInterval}, per-query timeout ` +
      `${s.queryTimeoutMs} ms, scheduled assessments every ${s.scheduledIntervalS} s; threshold ` +
      `overrides \`${JSON.stringify(s.thresholds)}\`.`,
  ];
}

/** Markdown for one scenario run. */
export function renderScenarioMarkdown(result: ScenarioResult | ResultSummary): string {
  const r = result;
  const lines = [
    `# Scenario ${r.scenario}: ${passText(r)}`,
    '',
    `${r.summary}. Proves: ${r.proves}.`,
    '',
    ...(r.fault === null ? [] : [`Fault: ${r.fault}.`, '']),
    ...settingsLines(r),
    '',
    resultsTable([r]),
    '',
    '## Expectations',
    '',
    ...(r.error === null ? expectationLines(r) : [`The run failed: ${r.error}`]),
    '',
    '## Phases',
    '',
    ...r.phases.map((p) => `- ${p.phase}: ${p.start_s}–${p.end_s} s`),
    '',
    `Stack up in ${secs(r.stack_up_s)}; the run took ${r.duration_s} s; ${r.polls.total} polls of ` +
      `the API, ${r.polls.unanswered} unanswered.` +
      (r.load_counts === null
        ? ''
        : ` Load: ${r.load_counts.started} started, ${r.load_counts.completed} completed, ` +
          `${r.load_counts.failed} failed.`),
    ...(r.notes.length === 0 ? [] : ['', 'Notes:', '', ...r.notes.map((n) => `- ${n}`)]),
    '',
  ];
  return lines.join('\n');
}

/** Markdown for a suite: the summary across runs, then each run's table and expectations. */
export function renderSuiteMarkdown(report: SuiteReport): string {
  const minutes = Math.round(report.duration_s / 6) / 10;
  const first = report.runs[0]?.[0];
  const lines = [
    `# Scenario suite: ${report.passed ? 'pass' : 'FAIL'}`,
    '',
    `${report.runs.length} run(s) of ${report.scenarios.length} scenario(s), started ` +
      `${report.started_at}, ${minutes} min in all, on ${report.machine.cpus} × ` +
      `${report.machine.cpu_model} (${report.machine.memory_gb} GB).`,
    '',
    ...settingsLines(first),
    '',
    acrossRunsTable(report),
    '',
  ];
  report.runs.forEach((run, i) => {
    const duration = run.reduce((sum, r) => sum + r.duration_s, 0);
    lines.push(`## Run ${i + 1} (${Math.round(duration / 6) / 10} min)`, '', resultsTable(run), '');
  });
  lines.push('## Expectations (last run)', '');
  for (const r of report.runs.at(-1) ?? []) {
    lines.push(`### ${r.scenario}: ${passText(r)}`, '');
    lines.push(...(r.error === null ? expectationLines(r) : [`The run failed: ${r.error}`]), '');
  }
  return lines.join('\n');
}
