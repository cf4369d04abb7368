import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, type ConfigOverrides } from '../../src/config/load.js';
import { identify } from '../../src/os/process-identity.js';
import { writeStackConfig } from '../../src/stack/stack-config.js';
import { stateLayout, writeStackRecord } from '../../src/stack/state.js';

/**
 * A fresh state dir holding what `headway up` leaves while a stack runs: its record and its
 * config (`flags` as given to `up`). Its supervisor is this process (running) or a pid that
 * cannot exist (crashed: the files a crash leaves behind). The caller removes the dir.
 */
export function stackStartedWith(
  flags: ConfigOverrides,
  supervisor: 'running' | 'crashed' = 'running',
): string {
  const stateDir = mkdtempSync(join(tmpdir(), 'headway-stack-files-'));
  const started = loadConfig({ env: {}, flags: { ...flags, state_dir: stateDir } }).config;
  writeStackConfig(started, stateLayout(stateDir));
  writeStackRecord({
    version: 1,
    state_dir: stateDir,
    status: 'ready',
    started_at: new Date().toISOString(),
    supervisor: {
      // Above Linux's largest pid (2^22).
      ...(supervisor === 'running' ? identify(process.pid) : { pid: 2 ** 22 + 1, start_time: 1 }),
      mode: 'detached',
    },
    services: [],
  });
  return stateDir;
}
