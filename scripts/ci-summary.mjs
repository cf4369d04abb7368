// Reads vitest's JSON report and prints the plain summary line CI looks for. Exits non-zero when a
// test failed, none ran, any was skipped (CI provides every server; nothing may be skipped) or an
// earlier check failed.
import { readFileSync } from 'node:fs';

const [file, checksStatus = '0', testStatus = '0'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`no test report (${err.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that failed without a failed test (an error in beforeAll, an import error) counts once;
// vitest's numFailedTestSuites also counts the describe blocks around a failed test, so it would
// count one failure several times.
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const problems = [];
if (passed + failed === 0) problems.push('no test ran');
if (skipped > 0) problems.push(`${skipped} tests were skipped`);
if (checksStatus !== '0') problems.push('lint, typecheck or format check failed');
if (testStatus !== '0' && failed === 0) problems.push(`the test command exited with ${testStatus}`);
for (const p of problems) console.log(`CI: ${p}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(problems.length > 0 || failed > 0 ? 1 : 0);
