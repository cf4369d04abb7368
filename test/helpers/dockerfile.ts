import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root directory, ending in `/`. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The image's command: the Dockerfile's CMD, in its JSON form. */
export function dockerfileCommand(): string[] {
  const cmd = dockerfileInstructions().find((l) => l.startsWith('CMD '));
  return JSON.parse(cmd!.slice(4)) as string[];
}

/** The Dockerfile's instructions, one per entry: continuation lines joined, comments dropped. */
export function dockerfileInstructions(): string[] {
  return readFileSync(`${REPO_ROOT}Dockerfile`, 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}
