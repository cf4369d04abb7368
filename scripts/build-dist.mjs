// Compiles src/ to dist/ (same layout, JavaScript) so `headway` starts without compiling TypeScript.
// Run by `npm ci` / `npm install` (the `prepare` script) and by `npm run build`. Plain JavaScript
// that works on Node 20, because `prepare` runs under whatever node is first on PATH.
//
// dist/.built is written last and dated when the build started: bin/headway.js runs dist/ only when
// no file under src/ is newer than that, so an edited source never runs as stale JavaScript.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
// Whole seconds, rounded down: some file systems keep mtimes to the second.
const startedS = Math.floor(Date.now() / 1000);

rmSync(dist, { recursive: true, force: true });

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // `npm ci --omit=dev` has no TypeScript; bin/headway.js then runs the sources with tsx.
  process.stderr.write(
    'headway: typescript is not installed; skipped building dist/ (the CLI will run src/ with tsx)\n',
  );
  process.exit(0);
}

const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.stderr.write('headway: compiling src/ to dist/ failed (see above)\n');
  process.exit(build.status ?? 1);
}

// Files the code reads beside itself (the dashboard's HTML, CSS, script and icon) go along as they are.
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// Workflow bundles, so a worker does not run webpack at start (src/temporal/prebuilt-bundle.ts).
// A bundle that fails to build is left out: that worker then bundles at start, as from the sources.
const BUNDLED = ['copilot'];
const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
for (const dir of BUNDLED) {
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(dist, dir, 'workflows', 'index.js'),
      logger: new DefaultLogger('WARN'),
    });
    writeFileSync(join(dist, dir, 'workflows.bundle.js'), code);
  } catch (err) {
    process.stderr.write(
      `headway: bundling the ${dir} workflows failed; its worker will bundle at start (${String(err)})\n`,
    );
  }
}

// The bench's bundle, with the modules its sandbox evaluates once and its source map, as JSON
// (src/bench/worker.ts reads it; the bench's workers take { code, sourceMap }).
try {
  const bench = await import(pathToFileURL(join(dist, 'bench', 'worker.js')).href);
  const { code, sourceMap } = await bench.benchWorkflowBundle();
  writeFileSync(bench.PREBUILT_BENCH_BUNDLE, JSON.stringify({ code, sourceMap }));
} catch (err) {
  process.stderr.write(
    `headway: bundling the bench workflows failed; the first bench run will bundle (${String(err)})\n`,
  );
}

const stamp = join(dist, '.built');
writeFileSync(
  stamp,
  'dist/ was compiled from src/ at the time this file is dated; see scripts/build-dist.mjs\n',
);
utimesSync(stamp, startedS, startedS);
