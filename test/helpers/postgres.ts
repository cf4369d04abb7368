import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';

import pg from 'pg';

import { findFreePorts } from '../../src/os/ports.js';

import { makeTempDir } from './temp-dir.js';

/** A PostgreSQL server the tests may create databases on. */
export interface TestPostgresServer {
  /** A URL whose role may CREATE DATABASE. */
  readonly url: string;
  /** `HEADWAY_TEST_PG_URL`, or a throwaway server this process started. */
  readonly source: 'env' | 'throwaway';
  /** Stops the server if this process started it; a no-op for HEADWAY_TEST_PG_URL. */
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** A URL for a fresh database of its own (`hw_<random>`). */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>;
}

const HOW_TO_FIX =
  'set HEADWAY_TEST_PG_URL=postgres://user:password@127.0.0.1:5432/db (a role with CREATEDB), ' +
  'or install the PostgreSQL server (`apt-get install postgresql`, which provides initdb and ' +
  'postgres), or run `bash .ci/run`, which does both';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directory holding `initdb` and `postgres`: Debian's versioned directory, pg_config, PATH. */
function findServerBinDir(): string | undefined {
  const candidates: string[] = [];
  const explicit = process.env.HEADWAY_TEST_PG_BIN;
  if (explicit !== undefined && explicit !== '') candidates.push(explicit);
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // Not Debian's layout.
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''));
  return candidates.find(
    (dir) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres')),
  );
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user. */
function serverUser(): { uid: number; gid: number; wrap: (argv: string[]) => string[] } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `store integration tests: running as root, but there is no "postgres" OS user to run a ` +
        `throwaway PostgreSQL server as. Fix: ${HOW_TO_FIX}`,
    );
  }
  return {
    uid: Number(uid.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    wrap: (argv) => ['runuser', '-u', 'postgres', '--', ...argv],
  };
}

/** Connects until the server answers `SELECT 1`, the process exits, or the deadline passes. */
async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`throwaway PostgreSQL exited before it was ready:\n${output()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    let lastError: string;
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `throwaway PostgreSQL not ready after ${String(timeoutMs)} ms (${lastError}):\n${output()}`,
      );
    }
    // The pause between two connection attempts, not a stand-in for readiness.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a throwaway PostgreSQL: `initdb` into a temp dir, `postgres` on 127.0.0.1 and a free
 * port, with a random superuser password. Durability is off; the data dies with the directory.
 */
async function startThrowaway(): Promise<TestPostgresServer> {
  const bin = findServerBinDir();
  if (bin === undefined) {
    throw new Error(
      `store integration tests need PostgreSQL, and found neither HEADWAY_TEST_PG_URL nor the ` +
        `server binaries (initdb, postgres). Fix: ${HOW_TO_FIX}`,
    );
  }
  const runAs = serverUser();
  const dir = makeTempDir('headway-pg-');
  const data = join(dir.path, 'data');
  const password = randomBytes(16).toString('hex');
  const pwfile = join(dir.path, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs !== null) {
    chownSync(dir.path, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  const argv = (cmd: string[]) => (runAs === null ? cmd : runAs.wrap(cmd));

  const [initCmd = '', ...initArgs] = argv([
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'headway',
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    dir.remove();
    throw new Error(
      `initdb failed (${String(init.status ?? init.signal)}): ${init.stderr || init.stdout}\nFix: ${HOW_TO_FIX}`,
    );
  }

  const [port = 0] = await findFreePorts(1);
  const [cmd = '', ...args] = argv([
    join(bin, 'postgres'),
    '-D',
    data,
    '-k',
    dir.path,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const postmasterPid = (): number | undefined => {
    // Under runuser, the child is runuser itself; signal the postmaster directly.
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  // If the test process dies without afterAll, do not leave a postgres behind.
  const onExit = () => {
    const pid = postmasterPid();
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', onExit);
      const pid = postmasterPid();
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT: PostgreSQL's fast shutdown (roll back sessions, then exit).
        if (pid !== undefined) process.kill(pid, 'SIGINT');
        else child.kill('SIGINT');
        await exited;
      }
      dir.remove();
    })());

  const url = `postgres://headway:${password}@127.0.0.1:${String(port)}/postgres`;
  try {
    await waitUntilReady(url, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, source: 'throwaway', stop };
}

/**
 * The PostgreSQL the integration tests use: HEADWAY_TEST_PG_URL when set (CI sets it), else a
 * throwaway server started here. Never skips: with neither, it fails and says how to fix it.
 */
export async function startTestPostgres(): Promise<TestPostgresServer> {
  const url = process.env.HEADWAY_TEST_PG_URL;
  if (url !== undefined && url !== '') {
    return { url, source: 'env', stop: () => Promise.resolve() };
  }
  return startThrowaway();
}

/** `url` pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `url` whose sessions use `schema` first (tables are created there). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Runs one statement on a short-lived connection. */
export async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const randomName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Creates `hw_<random>` on `server` and returns it with its own URL. */
export async function createTestDatabase(server: TestPostgresServer): Promise<TestDatabase> {
  const name = randomName('hw');
  try {
    await adminQuery(server.url, `CREATE DATABASE ${name}`);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const where = server.source === 'env' ? 'HEADWAY_TEST_PG_URL' : 'the throwaway server';
    throw new Error(
      `cannot create a test database on ${where} (${why}): it must be reachable, and its role ` +
        `needs CREATEDB. Fix: ${HOW_TO_FIX}`,
      { cause: err },
    );
  }
  return {
    name,
    url: withDatabase(server.url, name),
    drop: async () => {
      await adminQuery(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Creates schema `t_<random>` in `database` and returns a URL whose tables land in it. */
export async function createTestSchema(database: TestDatabase): Promise<string> {
  const schema = randomName('t');
  await adminQuery(database.url, `CREATE SCHEMA ${schema}`);
  return withSearchPath(database.url, schema);
}
