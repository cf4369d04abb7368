import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';

import { PROMETHEUS, TEMPORAL, type BinarySpec } from './binaries.js';
import { downloadRelease } from './download.js';
import { ensureBinary } from './resolve.js';

const TEMPORAL_OUT = 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)';
const PROMETHEUS_OUT = 'prometheus, version 2.53.5 (branch: HEAD)';

let dir: string;
let cacheDir: string;
let server: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headway-'));
  cacheDir = join(dir, 'cache');
});

afterEach(async () => {
  if (server !== undefined) {
    const s = server;
    server = undefined;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Serves `files` (URL path → body) on 127.0.0.1; records every requested path. */
async function serve(files: Map<string, Buffer | string>): Promise<{
  base: string;
  requests: string[];
}> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  const s = server;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests };
}

/** A tar.gz holding `member` (an executable script printing `output`), built with system tar. */
function buildArchive(member: string, output: string): Buffer {
  const staging = join(dir, 'staging');
  rmSync(staging, { recursive: true, force: true });
  const file = join(staging, member);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho '${output}'\n`, { mode: 0o755 });
  const archive = join(dir, 'archive.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', staging, member]);
  return readFileSync(archive);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** Release files for `spec` as a mirror would serve them. */
function releaseFiles(
  spec: BinarySpec,
  base: string,
  archive: Buffer,
  checksum = sha256(archive),
): Map<string, Buffer | string> {
  const asset = spec.release(base, 'linux', 'x64');
  if (asset === undefined) throw new Error('no linux/x64 asset');
  return new Map<string, Buffer | string>([
    [pathOf(asset.url), archive],
    [
      pathOf(asset.checksumsUrl),
      `${'0'.repeat(64)}  other_file.tar.gz\n${checksum}  ${asset.archiveName}\n`,
    ],
  ]);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (err: unknown) => err,
  );
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('ensureBinary release download', () => {
  it('downloads, verifies and installs the Temporal CLI into the cache', async () => {
    const archive = buildArchive('temporal', TEMPORAL_OUT);
    // The base URL is known only once the server listens; the paths do not depend on it.
    const files = releaseFiles(TEMPORAL, 'http://x', archive);
    const { base, requests } = await serve(files);
    const progress: string[] = [];

    const resolved = await ensureBinary(TEMPORAL, {
      env: { PATH: '' },
      cacheDir,
      releaseBaseUrl: base,
      goBin: '/nonexistent',
      platform: 'linux',
      arch: 'x64',
      onProgress: (m) => progress.push(m),
    });

    const installed = join(cacheDir, 'bin', 'temporal');
    expect(resolved).toEqual({
      name: 'temporal',
      path: installed,
      version: '1.5.1 (server 1.29.1)',
      source: 'download',
    });
    expect(statSync(installed).isFile()).toBe(true);
    expect(() => accessSync(installed, constants.X_OK)).not.toThrow();
    expect(execFileSync(installed, ['--version'], { encoding: 'utf8' })).toContain(TEMPORAL_OUT);
    // Only the binary is left: no temporary download directory.
    expect(readdirSync(join(cacheDir, 'bin'))).toEqual(['temporal']);
    expect(requests).toContain(pathOf(TEMPORAL.release(base, 'linux', 'x64')?.url ?? ''));
    expect(progress.some((m) => m.startsWith('downloading http://127.0.0.1:'))).toBe(true);
    expect(progress).toContain(`installed ${installed}`);

    // Next time the cached binary is found without any request.
    requests.length = 0;
    const again = await ensureBinary(TEMPORAL, {
      env: { PATH: '' },
      cacheDir,
      releaseBaseUrl: base,
      goBin: '/nonexistent',
      platform: 'linux',
      arch: 'x64',
    });
    expect(again.source).toBe('cache');
    expect(requests).toEqual([]);
  });

  it('extracts Prometheus from its versioned directory inside the archive', async () => {
    const asset = PROMETHEUS.release('http://x', 'linux', 'x64');
    const archive = buildArchive(asset?.member ?? '', PROMETHEUS_OUT);
    const { base } = await serve(releaseFiles(PROMETHEUS, 'http://x', archive));
    const resolved = await ensureBinary(PROMETHEUS, {
      env: { PATH: '' },
      cacheDir,
      releaseBaseUrl: base,
      platform: 'linux',
      arch: 'x64',
    });
    expect(resolved).toEqual({
      name: 'prometheus',
      path: join(cacheDir, 'bin', 'prometheus'),
      version: '2.53.5',
      source: 'download',
    });
    expect(readdirSync(join(cacheDir, 'bin'))).toEqual(['prometheus']);
  });

  it('rejects an archive whose checksum does not match and installs nothing', async () => {
    const archive = buildArchive('temporal', TEMPORAL_OUT);
    const wrong = sha256(Buffer.from('something else'));
    const { base } = await serve(releaseFiles(TEMPORAL, 'http://x', archive, wrong));
    const progress: string[] = [];

    const err = await rejection(
      ensureBinary(TEMPORAL, {
        env: { PATH: '' },
        cacheDir,
        releaseBaseUrl: base,
        goBin: '/nonexistent',
        platform: 'linux',
        arch: 'x64',
        onProgress: (m) => progress.push(m),
      }),
    );

    expect(err).toBeInstanceOf(HeadwayError);
    const e = err as HeadwayError;
    expect(e.code).toBe(ErrorCode.BinaryNotFound);
    expect(e.hint).toBe(TEMPORAL.installHint);
    const details = e.details.join('\n');
    expect(details).toContain('checksum mismatch');
    expect(details).toContain(`expected ${wrong}, got ${sha256(archive)}`);
    // The steps before the download are listed too, and the go-install step used the given Go.
    expect(e.details[0]).toBe('path: no temporal on PATH');
    expect(details).toMatch(/^go-install: .*\/nonexistent/m);
    expect(existsSync(join(cacheDir, 'bin', 'temporal'))).toBe(false);
    const left = existsSync(join(cacheDir, 'bin')) ? readdirSync(join(cacheDir, 'bin')) : [];
    expect(left).toEqual([]);
    expect(progress.some((m) => m.includes('download failed (checksum mismatch'))).toBe(true);
  });

  it('rejects a release whose checksums file does not list the archive', async () => {
    const archive = buildArchive('temporal', TEMPORAL_OUT);
    const asset = TEMPORAL.release('http://x', 'linux', 'x64');
    const { base } = await serve(
      new Map<string, Buffer | string>([
        [pathOf(asset?.url ?? ''), archive],
        [pathOf(asset?.checksumsUrl ?? ''), `${sha256(archive)}  another.tar.gz\n`],
      ]),
    );
    const err = await rejection(
      ensureBinary(TEMPORAL, {
        env: { PATH: '' },
        cacheDir,
        releaseBaseUrl: base,
        goBin: '/nonexistent',
        platform: 'linux',
        arch: 'x64',
      }),
    );
    expect((err as HeadwayError).details.join('\n')).toContain(
      `checksums file has no entry for ${asset?.archiveName}`,
    );
    expect(existsSync(join(cacheDir, 'bin', 'temporal'))).toBe(false);
  });

  it('reports an HTTP error for a missing archive', async () => {
    const { base } = await serve(new Map());
    const err = await rejection(
      ensureBinary(PROMETHEUS, {
        env: { PATH: '' },
        cacheDir,
        releaseBaseUrl: base,
        platform: 'linux',
        arch: 'x64',
      }),
    );
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.BinaryNotFound);
    expect((err as HeadwayError).hint).toBe(PROMETHEUS.installHint);
    expect((err as HeadwayError).details.join('\n')).toContain('checksums: HTTP 404');
  });

  it('fails fast, with a recorded attempt, when the release server is unreachable', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await rejection(
      ensureBinary(TEMPORAL, {
        env: { PATH: '' },
        cacheDir,
        releaseBaseUrl: `http://127.0.0.1:${port}`,
        goBin: '/nonexistent',
        platform: 'linux',
        arch: 'x64',
      }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(HeadwayError);
    const e = err as HeadwayError;
    expect(e.code).toBe(ErrorCode.BinaryNotFound);
    const download = e.details.find((d) => d.startsWith('download: '));
    expect(download).toBeDefined();
    expect(download).toContain(`http://127.0.0.1:${port}/temporalio/cli/releases/download/`);
    expect(e.details.map((d) => d.split(':')[0])).toEqual([
      'path',
      'cache',
      'download',
      'go-install',
    ]);
  });

  it('records the requested platform when there is no release for it', async () => {
    const err = await rejection(
      ensureBinary(PROMETHEUS, {
        env: { PATH: '' },
        cacheDir,
        releaseBaseUrl: 'http://127.0.0.1:1',
        platform: 'win32',
        arch: 'x64',
      }),
    );
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).details).toContain('download: no release for win32/x64');
  });
});

describe('downloadRelease', () => {
  it('replaces an existing binary atomically', async () => {
    const archive = buildArchive('temporal', TEMPORAL_OUT);
    const { base } = await serve(releaseFiles(TEMPORAL, 'http://x', archive));
    const destination = join(cacheDir, 'bin', 'temporal');
    mkdirSync(join(cacheDir, 'bin'), { recursive: true });
    writeFileSync(destination, 'old', { mode: 0o755 });
    const asset = TEMPORAL.release(base, 'linux', 'x64');
    if (asset === undefined) throw new Error('no asset');
    const messages: string[] = [];
    expect(await downloadRelease(asset, destination, (m) => messages.push(m))).toBe(destination);
    expect(readFileSync(destination, 'utf8')).toContain(TEMPORAL_OUT);
    expect(messages).toEqual([`downloading ${asset.url}`, `installed ${destination}`]);
  });

  it('fails when the archive does not hold the expected member', async () => {
    const archive = buildArchive('not-temporal', TEMPORAL_OUT);
    const { base } = await serve(releaseFiles(TEMPORAL, 'http://x', archive));
    const asset = TEMPORAL.release(base, 'linux', 'x64');
    if (asset === undefined) throw new Error('no asset');
    const destination = join(cacheDir, 'bin', 'temporal');
    await expect(downloadRelease(asset, destination, () => undefined)).rejects.toThrow();
    expect(readdirSync(join(cacheDir, 'bin'))).toEqual([]);
  });
});
