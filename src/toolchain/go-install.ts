import { spawn } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

import type { Env } from '../config/load.js';

export interface GoInstallOptions {
  readonly go: string;
  /** `module/path/cmd@version` */
  readonly pkg: string;
  readonly ldflags: string;
  readonly binDir: string;
  readonly executable: string;
  readonly env: Env;
  readonly onProgress: (message: string) => void;
}

const REPORT_EVERY_MS = 10_000;

/**
 * Builds a Go command into the cache with `go install`. A cold build of the Temporal CLI compiles a
 * few hundred packages and takes minutes, so it reports how many packages are done as it goes.
 */
export async function goInstall(options: GoInstallOptions): Promise<string> {
  // Go names the file after the package's last path element (`server` for both the Temporal server
  // and the UI server), so each build gets its own GOBIN and is renamed into the cache.
  const gobin = join(options.binDir, `.go-install-${options.executable}`);
  await rm(gobin, { recursive: true, force: true });
  await mkdir(gobin, { recursive: true });
  const started = Date.now();
  options.onProgress(
    `building ${options.pkg} with go install into ${options.binDir} (a first build takes several minutes)`,
  );
  const child = spawn(
    options.go,
    ['install', '-v', '-trimpath', `-ldflags=${options.ldflags}`, options.pkg],
    {
      env: {
        ...options.env,
        GOBIN: gobin,
        // Lets an older local Go fetch the toolchain the module asks for through the module proxy.
        GOTOOLCHAIN: options.env.GOTOOLCHAIN ?? 'auto',
        CGO_ENABLED: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );

  let packages = 0;
  let downloads = 0;
  const tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.startsWith('go: downloading')) downloads += 1;
    else if (!line.startsWith('go: ')) packages += 1;
    tail.push(line);
    if (tail.length > 15) tail.shift();
  });
  const timer = setInterval(() => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    options.onProgress(
      `  go install: ${downloads} modules fetched, ${packages} packages built, ${elapsed}s`,
    );
  }, REPORT_EVERY_MS);

  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  })
    .catch(async (err: unknown) => {
      await rm(gobin, { recursive: true, force: true });
      throw err;
    })
    .finally(() => clearInterval(timer));

  if (code !== 0) {
    await rm(gobin, { recursive: true, force: true });
    throw new Error(`go install exited with code ${String(code)}:\n${tail.join('\n')}`);
  }
  const path = join(options.binDir, options.executable);
  const built = basename(options.pkg.replace(/@[^@]*$/, ''));
  await rename(join(gobin, built), path);
  await rm(gobin, { recursive: true, force: true });
  options.onProgress(`built ${path} in ${Math.round((Date.now() - started) / 1000)}s`);
  return path;
}
