import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const TOOLS = ['initdb', 'pg_ctl', 'postgres'] as const;

function hasTools(dir: string): boolean {
  try {
    for (const tool of TOOLS) accessSync(join(dir, tool), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The directory holding initdb, pg_ctl and postgres: the configured one, else Debian's newest
 * `/usr/lib/postgresql/<major>/bin`, else wherever `initdb` is on PATH.
 */
export function findPostgresBinDir(
  explicit?: string,
  path = process.env.PATH ?? '',
): string | undefined {
  if (explicit !== undefined) return hasTools(explicit) ? explicit : undefined;
  let debian: string[] = [];
  try {
    debian = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // No Debian layout here.
  }
  const onPath = path.split(delimiter).filter((d) => d !== '');
  return [...debian, ...onPath].find(hasTools);
}
