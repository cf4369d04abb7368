import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Env } from '../config/load.js';

import { goInstall } from './go-install.js';

const GO = '/usr/local/go/bin/go';
const MODULE = 'example.com/hello';
const VERSION = 'v1.0.0';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A GOPROXY directory (file:// URL) serving one tiny module, so `go install module/cmd@version` —
 * the form Headway uses for the Temporal CLI — runs for real without the network.
 */
function localModuleProxy(): string {
  const proxy = join(dir, 'proxy');
  const versions = join(proxy, MODULE, '@v');
  mkdirSync(versions, { recursive: true });
  const goMod = `module ${MODULE}\n\ngo 1.21\n`;

  const staging = join(dir, 'zip-staging');
  const root = join(staging, `${MODULE}@${VERSION}`);
  mkdirSync(join(root, 'cmd', 'hello'), { recursive: true });
  writeFileSync(join(root, 'go.mod'), goMod);
  writeFileSync(
    join(root, 'cmd', 'hello', 'main.go'),
    'package main\n\nvar version = "dev"\n\nfunc main() { println("hello", version) }\n',
  );
  // -D: no directory entries; module zips hold files only, under module@version/.
  execFileSync(
    'zip',
    ['-q', '-r', '-D', join(versions, `${VERSION}.zip`), `${MODULE}@${VERSION}`],
    {
      cwd: staging,
    },
  );
  writeFileSync(join(versions, 'list'), `${VERSION}\n`);
  writeFileSync(join(versions, `${VERSION}.mod`), goMod);
  writeFileSync(
    join(versions, `${VERSION}.info`),
    JSON.stringify({ Version: VERSION, Time: '2026-01-01T00:00:00Z' }),
  );
  return pathToFileURL(proxy).href;
}

/** A self-contained Go environment: module cache in the temp dir, no network, local toolchain. */
function goEnv(goproxy: string): Env {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GOPATH: join(dir, 'gopath'),
    GOPROXY: goproxy,
    GOSUMDB: 'off',
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
  };
}

describe('goInstall with the real Go toolchain', () => {
  it('builds module/cmd@version into the bin dir, with the ldflags applied', async () => {
    const binDir = join(dir, 'cache', 'bin');
    const progress: string[] = [];
    const path = await goInstall({
      go: GO,
      pkg: `${MODULE}/cmd/hello@${VERSION}`,
      ldflags: '-s -w -X main.version=1.2.3',
      binDir,
      executable: 'hello',
      env: goEnv(localModuleProxy()),
      onProgress: (m) => progress.push(m),
    });
    expect(path).toBe(join(binDir, 'hello'));
    expect(() => accessSync(path, constants.X_OK)).not.toThrow();
    // `println` writes to stderr; the version proves -ldflags reached the build.
    const run = spawnSync(path, { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr.trim()).toBe('hello 1.2.3');
    expect(progress[0]).toContain(`building ${MODULE}/cmd/hello@${VERSION}`);
    expect(progress[0]).toContain(binDir);
    expect(progress.at(-1)).toMatch(new RegExp(`^built ${path} in \\d+s$`));
  });

  it('rejects with the tail of go output when the package cannot be fetched', async () => {
    const binDir = join(dir, 'bin');
    const err = await goInstall({
      go: GO,
      pkg: 'example.com/does-not-exist/cmd/x@v9.9.9',
      ldflags: '-s -w',
      binDir,
      executable: 'x',
      env: goEnv('off'),
      onProgress: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/^go install exited with code 1:\n/);
    expect(message).toContain('example.com/does-not-exist');
    expect(message).toContain('GOPROXY=off');
    expect(existsSync(join(binDir, 'x'))).toBe(false);
  });

  it('rejects when a version of the module does not exist in the proxy', async () => {
    const err = await goInstall({
      go: GO,
      pkg: `${MODULE}/cmd/hello@v2.0.0`,
      ldflags: '',
      binDir: join(dir, 'bin'),
      executable: 'hello',
      env: goEnv(localModuleProxy()),
      onProgress: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/^go install exited with code 1:\n/);
    expect((err as Error).message).toContain('v2.0.0');
  });
});

describe('goInstall without a Go toolchain', () => {
  it('rejects when the go binary does not exist', async () => {
    const binDir = join(dir, 'bin');
    await expect(
      goInstall({
        go: join(dir, 'no-go'),
        pkg: `${MODULE}/cmd/hello@${VERSION}`,
        ldflags: '',
        binDir,
        executable: 'hello',
        env: { PATH: '' },
        onProgress: () => undefined,
      }),
    ).rejects.toThrow(/ENOENT/);
  });
});
