/**
 * The `npm run bench:*` and recording scripts answer a wrong flag the way the CLI does: one line
 * saying what is wrong, one saying the fix, exit 2, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

function runScript(name: string, args: readonly string[]): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${SCRIPTS}${name}`, ...args], {
    encoding: 'utf8',
  });
  return { code: run.status, stderr: run.stderr };
}

describe('script flags', () => {
  it('every script that takes flags parses them with scriptArgs, none with parseArgs directly', () => {
    const withFlags = readdirSync(SCRIPTS)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /\b(scriptArgs|parseArgs)\(/.test(readFileSync(`${SCRIPTS}${f}`, 'utf8')));
    expect(withFlags.length).toBeGreaterThanOrEqual(10);
    for (const f of withFlags) {
      const text = readFileSync(`${SCRIPTS}${f}`, 'utf8');
      expect(text, f).toContain('scriptArgs(import.meta.url,');
      expect(text, f).not.toMatch(/\bparseArgs\(/);
    }
  });

  it('an unknown flag ends the script with a one-line error and where its usage is', () => {
    const run = runScript('bench-up.ts', ['--no-such-flag']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: Unknown option '--no-such-flag'/);
    expect(lines[1]).toBe('fix: see the usage at the top of scripts/bench-up.ts');
  });

  it('a numeric flag that is not a number the script can use is a one-line error and its fix', () => {
    for (const [script, args, said] of [
      ['bench-rpc.ts', ['--rounds', '0'], '--rounds must be a whole number ≥ 1 (got 0)'],
      [
        'bench-sandbox-switch.ts',
        ['--calls', '1.5'],
        '--calls must be a whole number ≥ 1 (got 1.5)',
      ],
      ['bench-api.ts', ['--rate', 'abc'], '--rate must be a number ≥ 1 (got abc)'],
    ] as const) {
      const run = runScript(script, args);
      expect(run.code, script).toBe(2);
      expect(run.stderr.trim().split('\n'), script).toEqual([
        `error: ${said}`,
        `fix: see the usage at the top of scripts/${script}`,
      ]);
    }
  });

  it('bench:cost says how to pass bench flags that start with a dash', () => {
    const run = runScript('bench-cost.ts', ['--extra', '--eager-start']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("error: Option '--extra' argument is ambiguous.");
    expect(lines[1]).toBe(
      'fix: see the usage at the top of scripts/bench-cost.ts; a value that starts with a dash takes the = form: --extra="<value>"',
    );
  });
});
