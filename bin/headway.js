#!/usr/bin/env node
// Checked before any import that needs a newer Node, so the user sees this and not a syntax error.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

import { nodeSettingsFor } from '../src/os/node-settings.js';
import { compiledIsCurrentIn } from '../src/bin/compiled-state.js';

const HANDED_OVER = 'HEADWAY_HANDED_OVER';
const settings = nodeSettingsFor(process.argv.slice(2), process.env);
// Run again only for what this process lacks (a parent that gave them, or this one run again).
const flags = settings.flags.filter(
  (f) => !process.execArgv.some((a) => a.split('=')[0] === f.split('=')[0]),
);
const env = Object.fromEntries(
  Object.entries(settings.env).filter(([k]) => process.env[k] === undefined),
);
const major = Number(process.versions.node.split('.')[0]);
if (major < 22 && !answersOnAnyNode(process.argv.slice(2))) {
  // `npm ci` installs Node 24 from the npm registry as an optional dependency (node-linux-<arch>);
  // npm scripts and `npx` put it first on PATH. Run directly under an older node, hand over to it.
  const bundled = fileURLToPath(
    new URL(`../node_modules/node-${process.platform}-${process.arch}/bin/node`, import.meta.url),
  );
  if (!existsSync(bundled)) {
    process.stderr.write(
      `error[NODE_TOO_OLD]: Headway needs Node.js 22 or newer; this is ${process.version}\n` +
        'fix: run `npm ci` (it installs Node 24 on Linux), install Node.js 24 LTS (https://nodejs.org), or put a newer node first on PATH\n',
    );
    process.exit(1);
  }
  handOver(bundled, flags, env);
} else if (flags.length > 0 || Object.keys(env).length > 0) {
  // Settings V8 and glibc read only at start (the bench's memory settings): run again with them.
  handOver(process.execPath, flags, env);
} else {
  if (process.env[HANDED_OVER] === '1') watchParent();
  await start();
}

/**
 * `headway --version` and `headway --help` alone need nothing Node 20 lacks, once compiled: they
 * are answered by this node instead of starting Node 24 for them (measured 0.27 → 0.15 s).
 */
function answersOnAnyNode(args) {
  return (
    args.length === 1 &&
    ['--version', '-V', '--help', '-h'].includes(args[0]) &&
    compiledIsCurrent()
  );
}

/**
 * Runs this command in a child node and mirrors it: the child has its own process group, so a
 * Ctrl-C reaches it once (forwarded from here) and not twice (which means "quit now" to a bench);
 * its exit code or signal becomes ours. The child stops itself if this process dies (watchParent).
 */
function handOver(node, nodeFlags, extraEnv) {
  const child = spawn(node, [...nodeFlags, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, ...extraEnv, [HANDED_OVER]: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    process.stderr.write(`error[HAND_OVER]: cannot run ${node}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}

/** In a handed-over child: the parent gone (even killed outright) is a SIGTERM, not an orphan. */
function watchParent() {
  delete process.env[HANDED_OVER];
  if (process.channel === undefined) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

async function start() {
  // V8 keeps the compiled code of every module it loads (Node >= 22.1) in a cache dir, so the
  // next start skips parsing and compiling them (about a third of a start's CPU).
  module.enableCompileCache?.();
  await import(compiledIsCurrent() ? '../dist/bin/headway.js' : await fromSource());
}

/**
 * True when `npm ci` (the `prepare` script, scripts/build-dist.mjs) compiled src/ to dist/ and no
 * file under src/ changed since: then the JavaScript runs, without compiling TypeScript at each
 * start. Otherwise (dist/ missing, or a source edited since) the sources run through tsx, so an
 * edit is never shadowed by stale JavaScript; `npm run build` makes the fast path current again.
 * The check stats every source file, a few milliseconds.
 */
function compiledIsCurrent() {
  // Asked once per start at most (both the Node 20 check and start() need it); a property, since
  // a module-level variable would not be initialised yet when the top-level code calls this.
  return (compiledIsCurrent.known ??= compiledIsCurrentIn(new URL('../', import.meta.url)));
}

/** Registers tsx and names the TypeScript entry point. */
async function fromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  return '../src/bin/headway.ts';
}
