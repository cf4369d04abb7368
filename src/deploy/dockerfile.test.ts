import { existsSync, readFileSync } from 'node:fs';

import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import {
  dockerfileCommand,
  dockerfileInstructions,
  REPO_ROOT as root,
} from '../../test/helpers/dockerfile.js';
import { buildProgram } from '../cli/program.js';

import { COPILOT_COMMAND, IMAGE_HEADWAY_BIN, benchWorkerCommand } from './common.js';
import { DeploySchema } from './model.js';

const instructions = dockerfileInstructions();

// Every command loaded (no argv): the test walks the whole tree.
const program = await buildProgram({ out: () => undefined, err: () => undefined });

/** The subcommand a `headway …` argv names, its unknown words and unknown options. */
function resolveCommand(argv: readonly string[]): { command: Command; unknown: string[] } {
  let command: Command = program;
  const unknown: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) {
      const long = word.split('=')[0];
      if (!command.options.some((o) => o.long === long || o.short === long)) unknown.push(word);
      continue;
    }
    const sub = command.commands.find((c) => c.name() === word);
    if (sub !== undefined) command = sub;
  }
  return { command, unknown };
}

describe('Dockerfile', () => {
  it('copies only paths that exist and the build context keeps (.dockerignore)', () => {
    const ignored = readFileSync(`${root}.dockerignore`, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // `COPY --from=<stage>` copies out of an earlier stage, not the build context.
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(3);
    for (const line of copies) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect(existsSync(`${root}${source}`), source).toBe(true);
        expect(ignored, source).not.toContain(source.split('/')[0]);
      }
    }
  });

  it('runs as a non-root user on Node 24', () => {
    expect(instructions[0]).toMatch(/^FROM node:24-/);
    expect(instructions.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER 1000:1000');
  });

  it('starts real headway commands, and the renders do too', () => {
    // The image's own command is the copilot's, as the renders write it.
    expect(dockerfileCommand()).toEqual(COPILOT_COMMAND.command);
    const run = instructions.find((l) => l.includes('node bin/headway.js'))!;
    const install = /node bin\/headway\.js ([^&]+)/.exec(run)![1]!.trim().split(/\s+/);
    const deploy = DeploySchema.parse({ bench: { replicas: 1 } });
    const afterBin = (command: readonly string[]): string[] =>
      command.slice(command.indexOf(IMAGE_HEADWAY_BIN) + 1);
    const cases: [readonly string[], string][] = [
      [install, 'install'],
      [afterBin(COPILOT_COMMAND.command), 'copilot run'],
      [afterBin(benchWorkerCommand(deploy).command), 'bench run'],
    ];
    for (const [words, path] of cases) {
      const { command, unknown } = resolveCommand(words);
      const names: string[] = [];
      for (let c: Command | null = command; c !== null && c !== program; c = c.parent) {
        names.unshift(c.name());
      }
      expect(names.join(' '), words.join(' ')).toBe(path);
      expect(unknown, words.join(' ')).toEqual([]);
    }
    expect(install).toEqual(['install', 'temporal']);
  });

  it('keeps the CLI where the commands run it, and the copilot’s environment in the image', () => {
    // The last stage's WORKDIR, bin/ copied into it, and the `headway` link to the same file.
    const final = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));
    const workdir = final.find((l) => l.startsWith('WORKDIR '))!.split(/\s+/)[1];
    expect(`${workdir!}/bin/headway.js`).toBe(IMAGE_HEADWAY_BIN);
    expect(final.some((l) => /^COPY .*\/bin \.\/bin$/.test(l))).toBe(true);
    expect(final.find((l) => l.startsWith('RUN '))).toContain(`ln -s ${IMAGE_HEADWAY_BIN} `);
    // Each variable the copilot starts with is the image's too: `docker run` without a command
    // gets it, and bin/headway.js needs no second process to set it.
    const env = final
      .filter((l) => l.startsWith('ENV '))
      .flatMap((l) => l.slice(4).trim().split(/\s+/));
    expect(Object.keys(COPILOT_COMMAND.env).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(COPILOT_COMMAND.env)) {
      expect(env, name).toContain(`${name}=${value}`);
    }
  });

  it('has a command check that notices a command headway lacks', () => {
    expect(resolveCommand(['copilot', 'fly']).command.name()).toBe('copilot');
    expect(resolveCommand(['bench', 'run', '--no-such-flag']).unknown).toEqual(['--no-such-flag']);
  });
});
