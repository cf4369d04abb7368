import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The machine's own node: Node 20 on the machines Headway is built and tested on. */
const MACHINE_NODE = '/usr/bin/node';

/**
 * bin/headway.js run by an old node in an install without the Node 24 that `npm ci` brings: a
 * command that hands over fails with NODE_TOO_OLD, so an answer proves there was no hand-over.
 */
describe('bin/headway.js on Node 20', () => {
  let install: string;
  const run = (...args: string[]) =>
    spawnSync(MACHINE_NODE, [join(install, 'bin/headway.js'), ...args], { encoding: 'utf8' });

  beforeAll(() => {
    const version = spawnSync(MACHINE_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    expect(
      Number(version.stdout.split('.')[0]),
      `${MACHINE_NODE} must be older than 22`,
    ).toBeLessThan(22);
    install = mkdtempSync(join(tmpdir(), 'headway-old-node-'));
    mkdirSync(join(install, 'bin'));
    copyFileSync(join(ROOT, 'bin/headway.js'), join(install, 'bin/headway.js'));
    // The source files the entry point imports, older than the compiled tree they stand beside.
    for (const file of ['src/os/node-settings.js', 'src/bin/compiled-state.js']) {
      mkdirSync(dirname(join(install, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(install, file));
      utimesSync(join(install, file), 0, 0);
    }
    symlinkSync(join(ROOT, 'dist'), join(install, 'dist'));
    symlinkSync(join(ROOT, 'package.json'), join(install, 'package.json'));
  });
  afterAll(() => rmSync(install, { recursive: true, force: true }));

  it('answers --version and --help itself, without Node 24', () => {
    for (const flag of ['--version', '-V']) {
      const out = run(flag);
      expect(out.stderr).toBe('');
      expect(out.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      expect(out.status).toBe(0);
    }
    for (const flag of ['--help', '-h']) {
      const out = run(flag);
      expect(out.stdout).toContain('Usage: headway');
      expect(out.status).toBe(0);
    }
  });

  it('hands every other command over to Node 24, and says how to get it when it is missing', () => {
    for (const args of [['status'], ['bench', '--help'], ['--version', '--json']]) {
      const out = run(...args);
      expect(out.stderr).toContain('error[NODE_TOO_OLD]');
      expect(out.stderr).toContain('fix: run `npm ci`');
      expect(out.status).toBe(1);
    }
  });
});
