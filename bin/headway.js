#!/usr/bin/env node
// Checked before any import that needs a newer Node, so the user sees this and not a syntax error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // `npm ci` installs Node 24 from the npm registry as an optional dependency (node-linux-<arch>);
  // npm scripts and `npx` put it first on PATH. Run directly under an older node, hand over to it.
  const bundled = fileURLToPath(
    new URL(`../node_modules/node-${process.platform}-${process.arch}/bin/node`, import.meta.url),
  );
  if (existsSync(bundled)) {
    const child = spawnSync(bundled, process.argv.slice(1), { stdio: 'inherit' });
    process.exit(child.status ?? 1);
  }
  process.stderr.write(
    `error[NODE_TOO_OLD]: Headway needs Node.js 22 or newer; this is ${process.version}\n` +
      'fix: run `npm ci` (it installs Node 24 on Linux), install Node.js 24 LTS (https://nodejs.org), or put a newer node first on PATH\n',
  );
  process.exit(1);
}
// Runs the TypeScript sources directly: `npm ci && npx headway up` needs no build step.
const { register } = await import('tsx/esm/api');
register();
await import('../src/bin/headway.ts');
