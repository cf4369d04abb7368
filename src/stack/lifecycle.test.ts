import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { stopStack } from './lifecycle.js';

describe('stopStack with volumes, no stack running', () => {
  const dirs: string[] = [];
  const stateDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'headway-lifecycle-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const stop = (dir: string) => stopStack(dir, { volumes: true, onProgress: () => undefined });

  it('deletes what Headway created and reports exactly that, each path once', async () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'temporal-monitored'));
    writeFileSync(join(dir, 'temporal-monitored', 'temporal.db'), '');
    mkdirSync(join(dir, 'postgres'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'headway.yml'), 'the user’s own file\n');

    const result = await stop(dir);

    expect(result.wasRunning).toBe(false);
    expect([...result.removedVolumes].sort()).toEqual(
      [join(dir, 'logs'), join(dir, 'postgres'), join(dir, 'temporal-monitored')].sort(),
    );
    for (const path of result.removedVolumes) expect(existsSync(path), path).toBe(false);
    expect(existsSync(join(dir, 'headway.yml'))).toBe(true);
  });

  it('reports nothing deleted when there was nothing to delete', async () => {
    const result = await stop(stateDir());
    expect(result.removedVolumes).toEqual([]);
  });
});
