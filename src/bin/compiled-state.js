// Plain JavaScript: bin/headway.js reads this before it knows whether dist/ is built or the Node
// version (so it must run on Node 20), and scripts/bench-cost.ts asks the same of the checkout it
// measures.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * True when `npm ci` (the `prepare` script, scripts/build-dist.mjs) compiled the checkout's src/
 * to dist/ and no file under src/ changed since. Stats every source file, a few milliseconds.
 * @param {URL} root the checkout's directory, ending in `/`
 * @returns {boolean}
 */
export function compiledIsCurrentIn(root) {
  const built = statSync(new URL('dist/.built', root), { throwIfNoEntry: false });
  if (built === undefined) return false;
  const src = fileURLToPath(new URL('src/', root));
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    if (statSync(file).mtimeMs > built.mtimeMs) return false;
  }
  return true;
}
