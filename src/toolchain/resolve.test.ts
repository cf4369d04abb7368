import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { PROMETHEUS, TEMPORAL } from './binaries.js';
import { findBinary, lookPath, probeVersion } from './resolve.js';

const TEMPORAL_OUT = 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)';
const PROMETHEUS_OUT = 'prometheus, version 2.53.5 (branch: x, revision: abc)';

let dir: string;
let cacheDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
  cacheDir = join(dir, 'cache');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes an executable shell script `<parent>/<name>` that prints `output` (to stdout). */
function fakeBinary(parent: string, name: string, output: string, mode = 0o755): string {
  mkdirSync(parent, { recursive: true });
  const path = join(parent, name);
  const body = output === '' ? 'exit 0' : `printf '%s\\n' '${output}'`;
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode });
  return path;
}

function cachedBinary(output: string): string {
  return fakeBinary(join(cacheDir, 'bin'), 'temporal', output);
}

async function expectBinaryInvalid(promise: Promise<unknown>): Promise<HeadwayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadwayError);
  expect((err as HeadwayError).code).toBe(ErrorCode.BinaryInvalid);
  expect((err as HeadwayError).hint).toBeDefined();
  return err as HeadwayError;
}

describe('version parsing', () => {
  it('parses the Temporal CLI version with its server version', () => {
    expect(TEMPORAL.parseVersion(TEMPORAL_OUT)).toBe('1.5.1 (server 1.29.1)');
    expect(TEMPORAL.parseVersion('temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)')).toBe(
      '0.0.0-DEV (server 1.29.1)',
    );
    expect(TEMPORAL.parseVersion('temporal version 1.1.2')).toBe('1.1.2');
    // Output may start with other lines (warnings); the version line is found anywhere.
    expect(TEMPORAL.parseVersion(`warning: something\n${TEMPORAL_OUT}\n`)).toBe(
      '1.5.1 (server 1.29.1)',
    );
  });

  it('rejects output that is not the Temporal CLI', () => {
    expect(TEMPORAL.parseVersion('')).toBeUndefined();
    expect(TEMPORAL.parseVersion('temporal: command not found')).toBeUndefined();
    expect(TEMPORAL.parseVersion('Temporal Server 1.29.1')).toBeUndefined();
    expect(TEMPORAL.parseVersion(PROMETHEUS_OUT)).toBeUndefined();
  });

  it('parses Prometheus versions, including distribution suffixes', () => {
    expect(PROMETHEUS.parseVersion(PROMETHEUS_OUT)).toBe('2.53.5');
    expect(PROMETHEUS.parseVersion('prometheus, version 2.42.0+ds (branch: debian/sid)')).toBe(
      '2.42.0+ds',
    );
    expect(PROMETHEUS.parseVersion(`banner\nprometheus, version 3.1.0 (branch: HEAD)\n`)).toBe(
      '3.1.0',
    );
    expect(PROMETHEUS.parseVersion(TEMPORAL_OUT)).toBeUndefined();
    expect(PROMETHEUS.parseVersion('node_exporter, version 1.8.0')).toBeUndefined();
  });
});

describe('release assets', () => {
  it('builds the Temporal CLI release URLs for linux/x64 and darwin/arm64', () => {
    expect(TEMPORAL.release('https://github.com', 'linux', 'x64')).toEqual({
      url: 'https://github.com/temporalio/cli/releases/download/v1.5.1/temporal_cli_1.5.1_linux_amd64.tar.gz',
      checksumsUrl:
        'https://github.com/temporalio/cli/releases/download/v1.5.1/temporal_cli_1.5.1_checksums.txt',
      archiveName: 'temporal_cli_1.5.1_linux_amd64.tar.gz',
      member: 'temporal',
    });
    expect(TEMPORAL.release('http://mirror', 'darwin', 'arm64')?.url).toBe(
      'http://mirror/temporalio/cli/releases/download/v1.5.1/temporal_cli_1.5.1_darwin_arm64.tar.gz',
    );
  });

  it('builds the Prometheus release URLs for linux/x64', () => {
    expect(PROMETHEUS.release('https://github.com', 'linux', 'x64')).toEqual({
      url: 'https://github.com/prometheus/prometheus/releases/download/v2.53.5/prometheus-2.53.5.linux-amd64.tar.gz',
      checksumsUrl:
        'https://github.com/prometheus/prometheus/releases/download/v2.53.5/sha256sums.txt',
      archiveName: 'prometheus-2.53.5.linux-amd64.tar.gz',
      member: 'prometheus-2.53.5.linux-amd64/prometheus',
    });
  });

  it('has no release for an unsupported platform or CPU', () => {
    expect(TEMPORAL.release('https://github.com', 'win32', 'x64')).toBeUndefined();
    expect(TEMPORAL.release('https://github.com', 'linux', 'ia32')).toBeUndefined();
    expect(PROMETHEUS.release('https://github.com', 'freebsd', 'x64')).toBeUndefined();
    expect(PROMETHEUS.release('https://github.com', 'linux', 'riscv64')).toBeUndefined();
  });
});

describe('probeVersion and lookPath', () => {
  it('reads the version from stdout or stderr', async () => {
    const out = fakeBinary(join(dir, 'a'), 'prometheus', PROMETHEUS_OUT);
    expect(await probeVersion(PROMETHEUS, out)).toBe('2.53.5');

    const errPath = join(dir, 'b', 'prometheus');
    mkdirSync(join(dir, 'b'));
    writeFileSync(errPath, `#!/bin/sh\necho '${PROMETHEUS_OUT}' >&2\n`, { mode: 0o755 });
    expect(await probeVersion(PROMETHEUS, errPath)).toBe('2.53.5');
  });

  it('returns undefined for a program that fails or prints something else', async () => {
    const failing = join(dir, 'fail');
    writeFileSync(failing, `#!/bin/sh\necho '${TEMPORAL_OUT}'\nexit 3\n`, { mode: 0o755 });
    expect(await probeVersion(TEMPORAL, failing)).toBeUndefined();
    const other = fakeBinary(dir, 'other', 'usage: temporal [options]');
    expect(await probeVersion(TEMPORAL, other)).toBeUndefined();
    expect(await probeVersion(TEMPORAL, join(dir, 'missing'))).toBeUndefined();
  });

  it('finds the first executable file on PATH, skipping directories and plain files', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const c = join(dir, 'c');
    mkdirSync(join(a, 'temporal'), { recursive: true }); // a directory named temporal
    fakeBinary(b, 'temporal', TEMPORAL_OUT, 0o644); // not executable
    const good = fakeBinary(c, 'temporal', TEMPORAL_OUT);
    expect(lookPath('temporal', { PATH: [a, b, c].join(delimiter) })).toBe(good);
    expect(lookPath('temporal', { PATH: [a, b].join(delimiter) })).toBeUndefined();
    expect(lookPath('temporal', {})).toBeUndefined();
  });
});

describe('findBinary resolution order', () => {
  it('uses an explicit path over PATH and the cache', async () => {
    const explicit = fakeBinary(join(dir, 'explicit'), 'my-temporal', 'temporal version 9.9.9');
    const onPath = fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    cachedBinary(TEMPORAL_OUT);
    const { found, attempts } = await findBinary(TEMPORAL, {
      explicitPath: explicit,
      env: { PATH: join(dir, 'path') },
      cacheDir,
    });
    expect(found).toEqual({
      name: 'temporal',
      path: explicit,
      version: '9.9.9',
      source: 'explicit',
    });
    expect(found?.path).not.toBe(onPath);
    expect(attempts).toEqual([]);
  });

  it('looks a bare explicit command name up on PATH', async () => {
    const tool = fakeBinary(join(dir, 'tools'), 'temporal-1.5', TEMPORAL_OUT);
    const { found } = await findBinary(TEMPORAL, {
      explicitPath: 'temporal-1.5',
      env: { PATH: join(dir, 'tools') },
      cacheDir,
    });
    expect(found?.path).toBe(tool);
    expect(found?.source).toBe('explicit');
  });

  it('fails with BINARY_INVALID for an explicit path that is missing, never falling through', async () => {
    fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    cachedBinary(TEMPORAL_OUT);
    const missing = join(dir, 'nope', 'temporal');
    const err = await expectBinaryInvalid(
      findBinary(TEMPORAL, { explicitPath: missing, env: { PATH: join(dir, 'path') }, cacheDir }),
    );
    expect(err.message).toContain(missing);
    expect(err.message).toContain('HEADWAY_TEMPORAL_BIN');
  });

  it('fails with BINARY_INVALID for an explicit path that is not executable', async () => {
    fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    const plain = fakeBinary(join(dir, 'explicit'), 'temporal', TEMPORAL_OUT, 0o644);
    await expectBinaryInvalid(
      findBinary(TEMPORAL, { explicitPath: plain, env: { PATH: join(dir, 'path') }, cacheDir }),
    );
    // A directory is not an executable file either.
    await expectBinaryInvalid(
      findBinary(TEMPORAL, { explicitPath: dir, env: { PATH: join(dir, 'path') }, cacheDir }),
    );
  });

  it('fails with BINARY_INVALID for an explicit program that reports no version', async () => {
    fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    cachedBinary(TEMPORAL_OUT);
    const silent = fakeBinary(join(dir, 'explicit'), 'temporal', '');
    const err = await expectBinaryInvalid(
      findBinary(TEMPORAL, { explicitPath: silent, env: { PATH: join(dir, 'path') }, cacheDir }),
    );
    expect(err.message).toContain('did not report a temporal version');

    const wrong = fakeBinary(join(dir, 'explicit2'), 'prometheus', TEMPORAL_OUT);
    await expectBinaryInvalid(
      findBinary(PROMETHEUS, { explicitPath: wrong, env: { PATH: '' }, cacheDir }),
    );
  });

  it('prefers PATH over the cache', async () => {
    const onPath = fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    cachedBinary('temporal version 1.4.0');
    const { found, attempts } = await findBinary(TEMPORAL, {
      env: { PATH: join(dir, 'path') },
      cacheDir,
    });
    expect(found).toEqual({
      name: 'temporal',
      path: onPath,
      version: '1.5.1 (server 1.29.1)',
      source: 'path',
    });
    expect(attempts).toEqual([]);
  });

  it('skips a `temporal` on PATH that is another program and uses a later one', async () => {
    const impostor = fakeBinary(join(dir, 'first'), 'temporal', 'Temporal, the time tracker 2.0');
    const real = fakeBinary(join(dir, 'second'), 'temporal', TEMPORAL_OUT);
    cachedBinary(TEMPORAL_OUT);
    const { found, attempts } = await findBinary(TEMPORAL, {
      env: { PATH: [join(dir, 'first'), join(dir, 'second')].join(delimiter) },
      cacheDir,
    });
    expect(found?.path).toBe(real);
    expect(found?.source).toBe('path');
    expect(attempts).toEqual([
      { step: 'path', outcome: `${impostor} is not temporal (no version output)` },
    ]);
  });

  it('falls back to the cache when PATH has none', async () => {
    const cached = cachedBinary(TEMPORAL_OUT);
    mkdirSync(join(dir, 'empty'));
    const { found, attempts } = await findBinary(TEMPORAL, {
      env: { PATH: join(dir, 'empty') },
      cacheDir,
    });
    expect(found).toEqual({
      name: 'temporal',
      path: cached,
      version: '1.5.1 (server 1.29.1)',
      source: 'cache',
    });
    expect(attempts).toEqual([{ step: 'path', outcome: 'no temporal on PATH' }]);
  });

  it('falls back to the cache when every PATH candidate is another program', async () => {
    const impostor = fakeBinary(join(dir, 'first'), 'temporal', 'something else');
    const cached = cachedBinary(TEMPORAL_OUT);
    const { found, attempts } = await findBinary(TEMPORAL, {
      env: { PATH: join(dir, 'first') },
      cacheDir,
    });
    expect(found?.path).toBe(cached);
    expect(found?.source).toBe('cache');
    expect(attempts).toEqual([
      { step: 'path', outcome: `${impostor} is not temporal (no version output)` },
    ]);
  });

  it('reports every place it looked when nothing is found', async () => {
    const { found, attempts } = await findBinary(TEMPORAL, { env: { PATH: '' }, cacheDir });
    expect(found).toBeUndefined();
    expect(attempts).toEqual([
      { step: 'path', outcome: 'no temporal on PATH' },
      { step: 'cache', outcome: `nothing at ${join(cacheDir, 'bin', 'temporal')}` },
    ]);
  });

  it('records a cached binary that reports no version', async () => {
    const cached = cachedBinary('garbage');
    const { found, attempts } = await findBinary(TEMPORAL, { env: {}, cacheDir });
    expect(found).toBeUndefined();
    expect(attempts).toContainEqual({
      step: 'cache',
      outcome: `${cached} did not report a version`,
    });
  });

  it('finds Prometheus by its own executable name', async () => {
    fakeBinary(join(dir, 'path'), 'temporal', TEMPORAL_OUT);
    const prom = fakeBinary(join(dir, 'path'), 'prometheus', PROMETHEUS_OUT);
    const { found } = await findBinary(PROMETHEUS, { env: { PATH: join(dir, 'path') }, cacheDir });
    expect(found).toEqual({ name: 'prometheus', path: prom, version: '2.53.5', source: 'path' });
  });
});
