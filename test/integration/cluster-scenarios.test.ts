import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { ScenarioResult } from '../../src/scenarios/run-scenario.js';
import { testBinaries } from '../helpers/binaries.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The distributed scenario CI runs: `headway scenario run history-kill --quick` on its own
 * cluster-profile stack (PostgreSQL, two history instances, one of them SIGKILLed under load and
 * restarted by the supervisor), judged through the copilot's API and torn down afterwards.
 */
describe('headway scenario run history-kill (cluster profile, CI pace)', () => {
  const dir = makeTempDir('headway-cluster-scenario-');
  afterAll(() => dir.remove());

  it(
    'sees the churn, is never critical, is happy again, and leaves nothing behind',
    async () => {
      const binaries = await testBinaries();
      const result = join(dir.path, 'history-kill.json');
      const cli = await runCli(
        ['scenario', 'run', 'history-kill', '--quick', '--json', result],
        {
          ...process.env,
          HEADWAY_TEMPORAL_BIN: binaries.temporal,
          HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
        },
        20 * 60_000,
      );
      const run = JSON.parse(readFileSync(result, 'utf8')) as ScenarioResult;
      const failed = run.expectations
        .filter((e) => e.status !== 'pass')
        .map((e) => `${e.description}: ${e.status} ${e.detail}`);
      expect(failed, cli.stderr.slice(-4_000)).toEqual([]);
      expect(cli.code).toBe(0);
      expect(run.passed).toBe(true);
      // The fault really happened: the killed instance came back under a new pid.
      expect(run.phases.map((p) => p.phase)).toEqual(
        expect.arrayContaining(['baseline', 'fault', 'recovery']),
      );
      const stateDir = /starting a stack in (\S+)/.exec(cli.stderr)?.[1];
      expect(stateDir).toBeDefined();
      expect(existsSync(stateDir!)).toBe(false);
    },
    21 * 60_000,
  );
});
