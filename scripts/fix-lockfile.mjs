// `npm run lock:fix` — run after every `npm install` that changes package-lock.json.
//
// Why: the registry this project is built against mirrors only the linux-x64 builds of native
// packages (for example @swc/core-darwin-arm64 answers 404). `npm install` then leaves those
// optional, other-platform packages out of package-lock.json, and `npm ci` refuses the lock
// ("Missing: @swc/core-darwin-arm64@ from lock file"). This adds the entries a lockfile written
// against the full registry would hold: version, optional, and the os/cpu/libc that make npm skip
// them on every other platform. Nothing is downloaded; installing on macOS or Windows fetches them
// from the real registry as usual.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name) {
  const tokens = name.replace(/^@[^/]+\//, '').split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  const libc = tokens.some((t) => t.startsWith('musl'))
    ? 'musl'
    : tokens.some((t) => t.startsWith('gnu'))
      ? 'glibc'
      : undefined;
  return {
    ...(cpu === undefined ? {} : { cpu: [cpu] }),
    ...(os === undefined ? {} : { os: [os] }),
    ...(libc === undefined || os !== 'linux' ? {} : { libc: [libc] }),
  };
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [path, meta] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${path === '' ? '' : `${path}/`}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[nested] !== undefined || packages[hoisted] !== undefined) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
      console.warn(`skipped ${dep}@${range} (wanted by ${path}): not an exact version`);
      continue;
    }
    packages[hoisted] = {
      version: range,
      ...(meta.dev === true ? { dev: true } : {}),
      optional: true,
      ...platformOf(dep),
    };
    added.push(`${dep}@${range}`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length === 0 ? 'lockfile complete' : `added ${added.length} entries: ${added.join(', ')}`,
);
