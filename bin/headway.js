#!/usr/bin/env node
// Checked before any import that needs a newer Node, so the user sees this and not a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `error[NODE_TOO_OLD]: Headway needs Node.js 22 or newer; this is ${process.version}\n` +
      'fix: install Node.js 24 LTS (https://nodejs.org), or put a newer node first on PATH\n',
  );
  process.exit(1);
}
// Runs the TypeScript sources directly: `npm ci && npx headway up` needs no build step.
const { register } = await import('tsx/esm/api');
register();
await import('../src/bin/headway.ts');
