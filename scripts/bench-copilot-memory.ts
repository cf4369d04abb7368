/**
 * `npm run bench:copilot-memory [-- --seconds 120] [-- --store-url postgres://...]`: how much
 * memory the copilot process (`headway copilot run`, started by `headway up`) holds. Starts the
 * stack on free ports in a temporary state dir, then samples the copilot's resident memory
 * (/proc/<pid>/status: VmRSS now, VmHWM the peak since it started) every second for --seconds, and
 * prints RSS once ready, at the end, the highest sample, and the kernel's peak; the other services'
 * RSS are there for scale. The store is PGlite unless --store-url names a PostgreSQL database, or
 * --postgres starts a throwaway one (initdb on a free port, as the tests do) for the run.
 * Stops the stack (and that PostgreSQL) and deletes the state dir at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { freeStackPorts } from '../src/stack/ports.js';
import type { StackRecord } from '../src/stack/state.js';
import { createTestDatabase, startTestPostgres } from '../test/helpers/postgres.js';
import { residentByKind, type ResidentKinds } from './lib/resident-memory.js';
import { scriptArgs } from './lib/script-args.js';

const BIN = fileURLToPath(new URL('../bin/headway.js', import.meta.url));
const { values } = scriptArgs(import.meta.url, {
  options: {
    seconds: { type: 'string', default: '120' },
    'store-url': { type: 'string' },
    postgres: { type: 'boolean', default: false },
  },
});
const seconds = Math.max(1, Number(values.seconds));

const postgres = values.postgres ? await startTestPostgres() : undefined;
const storeUrl =
  postgres === undefined ? values['store-url'] : (await createTestDatabase(postgres)).url;
const dir = mkdtempSync(join(tmpdir(), 'headway-bench-copilot-'));
const stack = await freeStackPorts();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  HEADWAY_STATE_DIR: dir,
  ...stack.env,
  ...(storeUrl === undefined ? {} : { HEADWAY_STORE_URL: storeUrl }),
};

/** VmRSS and VmHWM of a process, in MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** MiB, and the same in decimal megabytes (the unit `ps` users often read). */
function mib(value: number): string {
  return `${value.toFixed(0)} MiB (${((value * 2 ** 20) / 1e6).toFixed(0)} MB)`;
}

function kinds(k: ResidentKinds): string {
  return (
    `WebAssembly ${k.wasm.toFixed(0)}, mapped files ${k.files.toFixed(0)}, ` +
    `anonymous ${k.anonymous.toFixed(0)} MiB`
  );
}

const started = process.hrtime.bigint();
const up = spawnSync(process.execPath, [BIN, 'up', '--detach', '--json'], {
  env,
  encoding: 'utf8',
});
const readyS = Number(process.hrtime.bigint() - started) / 1e9;
try {
  if (up.status !== 0) throw new Error(`headway up failed:\n${up.stderr}`);
  const record = JSON.parse(up.stdout) as StackRecord;
  const copilot = record.services.find((s) => s.name === 'copilot');
  if (copilot === undefined) throw new Error('the stack record has no copilot');
  const atReady = memory(copilot.pid);
  let highest = atReady.rss;
  let last = atReady;
  for (let s = 1; s <= seconds; s += 1) {
    await delay(1000);
    last = memory(copilot.pid);
    highest = Math.max(highest, last.rss);
    if (s % 30 === 0) {
      process.stderr.write(
        `${s} s: RSS ${last.rss.toFixed(0)} MiB, peak ${last.peak.toFixed(0)}; ` +
          `${kinds(residentByKind(copilot.pid))}\n`,
      );
    }
  }
  const byKind = residentByKind(copilot.pid);
  const others = Object.fromEntries(
    record.services
      .filter((s) => s.name !== 'copilot')
      .map((s) => [s.name, Math.round(memory(s.pid).rss)]),
  );
  const store = storeUrl === undefined ? 'PGlite' : 'PostgreSQL';
  console.log(`copilot run (${store} store), stack ready in ${readyS.toFixed(1)} s`);
  console.log(`  RSS once ready            ${mib(atReady.rss)}`);
  console.log(`  RSS after ${String(seconds).padEnd(4)} s          ${mib(last.rss)}`);
  console.log(`  highest RSS sampled       ${mib(highest)}`);
  console.log(`  peak RSS (VmHWM)          ${mib(last.peak)}`);
  console.log(`  at the end, by kind       ${kinds(byKind)}`);
  for (const [name, rss] of Object.entries(others)) console.log(`  ${name.padEnd(26)}${rss} MiB`);
  console.log(
    JSON.stringify({
      store,
      seconds,
      ready_s: readyS,
      rss_ready_mib: atReady.rss,
      rss_end_mib: last.rss,
      rss_highest_mib: highest,
      vmhwm_mib: last.peak,
      resident_by_kind_mib: byKind,
      others_rss_mib: others,
    }),
  );
} finally {
  spawnSync(process.execPath, [BIN, 'down', '--volumes'], { env });
  rmSync(dir, { recursive: true, force: true });
  await postgres?.stop();
}
