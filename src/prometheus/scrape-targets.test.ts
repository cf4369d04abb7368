import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listTargets, registerTarget } from './scrape-targets.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('registerTarget', () => {
  it('writes <id>.json atomically and removes it again', () => {
    const targetsDir = join(dir, 'prometheus', 'targets');
    const remove = registerTarget(targetsDir, {
      id: 'worker-4242',
      job: 'headway-worker',
      address: '127.0.0.1:9464',
      labels: { instance_name: 'w1', job: 'ignored' },
    });
    const file = join(targetsDir, 'worker-4242.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      {
        targets: ['127.0.0.1:9464'],
        // The registration's job wins over a `job` label.
        labels: { instance_name: 'w1', job: 'headway-worker' },
      },
    ]);
    expect(readdirSync(targetsDir)).toEqual(['worker-4242.json']);
    expect(listTargets(targetsDir)).toEqual(['worker-4242.json']);

    remove();
    expect(existsSync(file)).toBe(false);
    expect(listTargets(targetsDir)).toEqual([]);
    // Removing twice is harmless.
    expect(() => remove()).not.toThrow();
  });

  it('overwrites an earlier registration with the same id', () => {
    registerTarget(dir, { id: 'a', job: 'j', address: 'h:1' });
    registerTarget(dir, { id: 'a', job: 'j', address: 'h:2' });
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))).toEqual([
      { targets: ['h:2'], labels: { job: 'j' } },
    ]);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('rejects ids that are not plain file names', () => {
    for (const id of ['../x', 'a/b', '', 'x y', '..\\x', 'x\n']) {
      expect(() => registerTarget(dir, { id, job: 'j', address: 'h:1' }), id).toThrow(
        /may use only letters, digits/,
      );
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, '..', 'x.json'))).toBe(false);
  });
});

describe('listTargets', () => {
  it('lists only .json files, and nothing for a missing directory', () => {
    writeFileSync(join(dir, 'a.json'), '[]');
    writeFileSync(join(dir, 'b.json.tmp'), '[]');
    writeFileSync(join(dir, 'notes.txt'), '');
    registerTarget(dir, { id: 'c', job: 'j', address: 'h:1' });
    expect(listTargets(dir).sort()).toEqual(['a.json', 'c.json']);
    expect(listTargets(join(dir, 'missing'))).toEqual([]);
  });
});
