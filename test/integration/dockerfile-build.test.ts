import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { compiledIsCurrentIn } from '../../src/bin/compiled-state.js';
import { benchWorkerCommand, IMAGE_HEADWAY_BIN } from '../../src/deploy/common.js';
import { DeploySchema } from '../../src/deploy/model.js';
import {
  dockerfileCommand,
  dockerfileInstructions,
  REPO_ROOT as root,
} from '../helpers/dockerfile.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const instructions = dockerfileInstructions();
const stageEnd = instructions.findIndex((l, i) => i > 0 && l.startsWith('FROM '));
const buildStage = instructions.slice(0, stageEnd);

/**
 * The image's build stage without Docker (there is no engine here): its COPY and RUN instructions
 * in order, COPY from this checkout into an empty directory and RUN there, with npm offline (the
 * packages come from the cache this checkout's own `npm ci` filled). So a RUN that needs a file a
 * later COPY brings fails here as it would in `docker build`.
 */
describe('Dockerfile build stage, run without Docker', () => {
  const dir = makeTempDir('headway-image-');
  afterAll(() => dir.remove());

  it('installs the dependencies from the package files alone, then builds dist/ and the workflow bundles, then drops the dev dependencies', () => {
    expect(buildStage[0]).toMatch(/^FROM node:24-\S+ AS build$/);
    const runs = buildStage.filter((l) => l.startsWith('RUN '));
    // The dependencies' layer: what is copied before the first RUN is the package files only, so
    // a change to the sources reuses it.
    const beforeInstall = buildStage.slice(0, buildStage.indexOf(runs[0]!));
    expect(beforeInstall.filter((l) => l.startsWith('COPY '))).toEqual([
      'COPY package.json package-lock.json ./',
    ]);
    for (const line of buildStage) {
      if (line.startsWith('COPY ')) {
        const words = line.split(/\s+/).slice(1);
        const dest = words.at(-1)!;
        for (const source of words.slice(0, -1)) {
          const to = dest.endsWith('/') ? join(dir.path, dest, source) : join(dir.path, dest);
          // As COPY does: files keep their modification times (to the second, moby#17175), so a
          // build started in the second of the copy still dates dist/ after the sources.
          cpSync(join(root, source), to, { recursive: true, preserveTimestamps: true });
        }
      } else if (line.startsWith('RUN ')) {
        const ran = spawnSync('sh', ['-c', line.slice(4)], {
          cwd: dir.path,
          env: { ...process.env, npm_config_offline: 'true' },
          encoding: 'utf8',
        });
        expect(ran.status, `${line}\n${ran.stderr}`).toBe(0);
      }
    }
    expect(compiledIsCurrentIn(pathToFileURL(`${dir.path}/`))).toBe(true);
    expect(existsSync(join(dir.path, 'dist/copilot/workflows.bundle.js'))).toBe(true);
    expect(existsSync(join(dir.path, 'dist/bench/workflows.bundle.json'))).toBe(true);
    expect(existsSync(join(dir.path, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(dir.path, 'node_modules/@temporalio/worker'))).toBe(true);
  });

  it('starts the image command, and the renders’ commands, from what the build left', () => {
    const cmd = dockerfileCommand();
    const bench = benchWorkerCommand(DeploySchema.parse({ bench: { replicas: 1 } })).command;
    for (const command of [cmd, bench]) {
      // Node's flags as written (a flag this Node refuses fails here), the CLI where the build
      // left it instead of /app.
      expect(command[0]).toBe('node');
      const args = command
        .slice(1)
        .map((word) => (word === IMAGE_HEADWAY_BIN ? 'bin/headway.js' : word));
      const help = spawnSync(process.execPath, [...args, '--help'], {
        cwd: dir.path,
        env: { ...process.env, NODE_ENV: 'production' },
        encoding: 'utf8',
      });
      expect(help.status, help.stderr).toBe(0);
      const [group, sub] = args.slice(args.indexOf('bin/headway.js') + 1);
      expect(help.stdout).toContain(`Usage: headway ${group!} ${sub!}`);
    }
  });
});
