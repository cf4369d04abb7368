/**
 * Merges suite reports of disjoint scenario sets into one (`report.md` + `report.json`), run by
 * run: run 1 of the result is run 1 of every input, and so on. For a suite split across processes
 * run side by side, as docs/scenarios.md was measured:
 *
 *   npx tsx scripts/merge-scenario-reports.ts OUT_DIR A/report.json B/report.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { SUITE_SCHEMA, renderSuiteMarkdown, type SuiteReport } from '../src/scenarios/report.js';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

const [outDir, ...inputs] = process.argv.slice(2);
if (outDir === undefined || inputs.length === 0) {
  fail('usage: merge-scenario-reports.ts OUT_DIR REPORT.json…');
}

const reports = inputs.map((file) => {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { schema?: unknown };
  if (parsed.schema !== SUITE_SCHEMA) fail(`${file} is not a ${SUITE_SCHEMA} report`);
  return parsed as SuiteReport;
});
const runs = Math.max(...reports.map((r) => r.runs.length));
if (reports.some((r) => r.runs.length !== runs)) fail('every report needs the same number of runs');
const names = reports.flatMap((r) => r.scenarios);
if (new Set(names).size !== names.length) fail('a scenario appears in more than one report');

const starts = reports.map((r) => Date.parse(r.started_at));
const ends = reports.map((r, i) => starts[i]! + r.duration_s * 1_000);
const merged: SuiteReport = {
  schema: SUITE_SCHEMA,
  started_at: new Date(Math.min(...starts)).toISOString(),
  // Wall clock from the first start to the last end: the inputs may have overlapped.
  duration_s: Math.round((Math.max(...ends) - Math.min(...starts)) / 1_000),
  machine: reports[0]!.machine,
  scenarios: names,
  runs: Array.from({ length: runs }, (_, i) => reports.flatMap((r) => r.runs[i] ?? [])),
  passed: reports.every((r) => r.passed),
};

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(merged, null, 2)}\n`);
writeFileSync(join(outDir, 'report.md'), renderSuiteMarkdown(merged));
process.stdout.write(
  `${merged.passed ? 'pass' : 'FAIL'}: ${names.length} scenarios × ${runs} runs → ${join(outDir, 'report.md')}\n`,
);
