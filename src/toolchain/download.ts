import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

import type { ReleaseAsset } from './binaries.js';

const execFileAsync = promisify(execFile);

/** A closed network should fail the step quickly, not hang `headway up`. */
const CONNECT_TIMEOUT_MS = 15_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * Downloads a release archive, checks it against the published SHA-256, extracts the executable
 * and moves it into place atomically. Returns the installed path.
 */
export async function downloadRelease(
  asset: ReleaseAsset,
  destination: string,
  onProgress: (message: string) => void,
): Promise<string> {
  onProgress(`downloading ${asset.url}`);
  const expected = await fetchChecksum(asset);

  await mkdir(dirname(destination), { recursive: true });
  const work = await mkdtemp(join(dirname(destination), '.download-'));
  try {
    const archive = join(work, asset.archiveName);
    const actual = await fetchToFile(asset.url, archive, onProgress);
    if (actual !== expected) {
      throw new Error(
        `checksum mismatch for ${asset.archiveName}: expected ${expected}, got ${actual}`,
      );
    }
    await execFileAsync('tar', ['-xzf', archive, '-C', work, asset.member], { timeout: 120_000 });
    const extracted = join(work, asset.member);
    await chmod(extracted, 0o755);
    await rename(extracted, destination);
    onProgress(`installed ${destination}`);
    return destination;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function fetchChecksum(asset: ReleaseAsset): Promise<string> {
  const response = await fetch(asset.checksumsUrl, {
    signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`checksums: HTTP ${response.status}`);
  const text = await response.text();
  for (const line of text.split('\n')) {
    const [sum, name] = line.trim().split(/\s+/);
    if (name !== undefined && sum !== undefined && name.replace(/^\*/, '') === asset.archiveName) {
      return sum.toLowerCase();
    }
  }
  throw new Error(`checksums file has no entry for ${asset.archiveName}`);
}

async function fetchToFile(
  url: string,
  file: string,
  onProgress: (message: string) => void,
): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const hash = createHash('sha256');
  let received = 0;
  let lastReport = Date.now();
  const body = Readable.fromWeb(response.body);
  body.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.length;
    if (Date.now() - lastReport >= 1000) {
      lastReport = Date.now();
      const mb = (received / 1e6).toFixed(1);
      onProgress(
        total > 0
          ? `  ${mb} MB of ${(total / 1e6).toFixed(1)} MB (${Math.round((received / total) * 100)}%)`
          : `  ${mb} MB`,
      );
    }
  });
  await pipeline(body, createWriteStream(file));
  return hash.digest('hex');
}
