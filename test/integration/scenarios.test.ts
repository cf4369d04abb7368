import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { SuiteReport } from '../../src/scenarios/report.js';
import type { ScenarioResult } from '../../src/scenarios/run-scenario.js';
import { testBinaries } from '../helpers/binaries.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** The CI subset: no false alarm, no data is never happy, and a worker outage and its end. */
const SUBSET = ['steady', 'metrics-outage', 'worker-outage'] as const;

/** Processes whose command line mentions `path` (a scenario stack's state dir). */
function processesUsing(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(path)) found.push(`${pid}: ${cmdline.slice(0, 120)}`);
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

/**
 * The real `headway scenario run` over a representative subset, at CI pace (`--quick`): each
 * scenario on its own stack (real Temporal dev servers, Prometheus and copilot), in a process of
 * its own, judged through the copilot's API, torn down afterwards.
 */
describe('headway scenario run (CI subset, real stacks)', () => {
  const dir = makeTempDir('headway-scenarios-it-');
  afterAll(() => dir.remove());

  it(
    `${SUBSET.join(', ')}: every checked expectation passes and nothing is left running`,
    async () => {
      const binaries = await testBinaries();
      const env = {
        ...process.env,
        HEADWAY_TEMPORAL_BIN: binaries.temporal,
        HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
      };
      const reportDir = join(dir.path, 'report');
      const cli = await runCli(
        ['scenario', 'run', ...SUBSET, '--quick', '--report', reportDir],
        env,
        14 * 60_000,
      );

      const report = JSON.parse(
        readFileSync(join(reportDir, 'report.json'), 'utf8'),
      ) as SuiteReport;
      const failures = report.runs
        .flat()
        .flatMap((r) =>
          r.error !== null
            ? [`${r.scenario}: ${r.error}`]
            : r.expectations
                .filter((e) => e.status === 'fail')
                .map((e) => `${r.scenario}: ${e.description}: ${e.detail}`),
        );
      expect(failures, cli.stderr.slice(-4_000)).toEqual([]);
      expect(cli.code).toBe(0);
      expect(report.passed).toBe(true);
      expect(report.runs[0]!.map((r) => r.scenario)).toEqual([...SUBSET]);
      expect(readFileSync(join(reportDir, 'report.md'), 'utf8')).toContain(
        '| scenario | expected | observed trajectory | detection | recovery | pass |',
      );

      const byName = new Map(report.runs[0]!.map((r) => [r.scenario, r]));
      // No data is unknown (the scenario bounds how soon), and it is recovered from.
      const outage = byName.get('metrics-outage')!;
      expect(outage.detection_s).not.toBeNull();
      expect(outage.recovery_s).not.toBeNull();
      // Every expectation is checked, and the stopped workers were seen: stressed, then critical.
      const workers = byName.get('worker-outage')!;
      expect(
        report.runs[0]!.flatMap((r) => r.expectations.filter((e) => e.status !== 'pass')),
      ).toEqual([]);
      expect(workers.detection_s).not.toBeNull();
      expect(workers.trajectory).toMatch(/stressed.*critical/);

      // Every run kept its observations, and each stack is gone: directory and processes.
      const full = JSON.parse(
        readFileSync(join(reportDir, 'runs', '1', 'steady.json'), 'utf8'),
      ) as ScenarioResult;
      // Counted from the run's own records, not the clock (a loaded machine answers fewer polls):
      // the run file keeps its polls, in every phase the run went through.
      expect(full.observations.length).toBe(full.polls.total);
      const observed = new Set(full.observations.map((o) => o.phase));
      for (const { phase } of full.phases) expect(observed.has(phase), phase).toBe(true);
      expect(full.observations.length).toBeGreaterThan(full.phases.length);
      const stateDirs = [...cli.stderr.matchAll(/starting a stack in (\S+)/g)].map((m) => m[1]!);
      // A stack that did not come up is started once more on fresh ports (a port taken between
      // picking and binding, on this shared machine); the run's notes say so, and why.
      const retries = report.runs
        .flat()
        .flatMap((r) =>
          r.notes.filter((n) => n.startsWith('the stack came up on a second attempt')),
        );
      expect(stateDirs, retries.join('\n')).toHaveLength(SUBSET.length + retries.length);
      for (const stateDir of stateDirs) {
        expect(existsSync(stateDir), stateDir).toBe(false);
        expect(processesUsing(stateDir)).toEqual([]);
      }
    },
    15 * 60_000,
  );
});
