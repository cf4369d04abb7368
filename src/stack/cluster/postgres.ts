/**
 * The cluster profile's PostgreSQL: a server Headway runs from the machine's own PostgreSQL
 * binaries (initdb once, then `postgres` under the supervisor), or one the user gives by URL.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import pg from 'pg';

import type { ClusterSection } from '../../config/cluster.js';
import { ErrorCode, HeadwayError } from '../../errors.js';
import { LOOPBACK } from '../../os/ports.js';
import { instancesOf } from '../../topology/model.js';
import type { ServiceSpec } from '../service-specs.js';
import type { StateLayout } from '../state.js';

import { findPostgresBinDir } from './postgres-binaries.js';

/** PostgreSQL refuses to run as root; as root, the server runs as this user. */
const OWNER = 'postgres';
/**
 * The managed server's superuser. Temporal logs in as its own role without superuser rights, so
 * the reserved superuser connections stay free for Headway (schema, scenarios) even when
 * Temporal has taken every other connection.
 */
export const ADMIN_USER = 'headway';

/** How to reach the cluster's database server. The password never leaves this process's memory, env and 0600 files. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Headway runs this server (else the user's, given by URL). */
  readonly managed: boolean;
}

/** The managed server's superuser login (same password as Temporal's role, same 0600 file). */
export function adminTarget(target: PostgresTarget): PostgresTarget {
  return { ...target, user: ADMIN_USER };
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Where the data lives: `STATE_DIR/postgres`. As root the server runs as `postgres`, which cannot
 * reach a state dir under /root, so the data goes to /var/tmp under a name derived from the state
 * dir (`headway down --volumes` removes it too).
 */
export function postgresDataDir(layout: StateLayout): string {
  if (!isRoot()) return join(layout.root, 'postgres', 'data');
  const tag = createHash('sha256').update(layout.root).digest('hex').slice(0, 12);
  return `/var/tmp/headway-postgres-${tag}`;
}

function passwordFile(layout: StateLayout): string {
  return join(layout.root, 'postgres', 'password');
}

/** Connections the services open at most, plus room for the schema tool and Headway itself. */
export function maxConnections(cluster: ClusterSection): number {
  const p = cluster.topology.persistence;
  return instancesOf(cluster.topology).length * (p.max_conns + p.visibility_max_conns) + 20;
}

/** The target for the configured server, or for the one Headway runs (its password made once). */
export function postgresTarget(
  cluster: ClusterSection,
  layout: StateLayout,
  // `ps` probes a stack that may never have started: it must not create its password file.
  options: { readonly create?: boolean } = {},
): PostgresTarget {
  const { url, password_file: file } = cluster.postgres;
  if (url !== undefined) {
    const u = new URL(url);
    const password =
      process.env.HEADWAY_CLUSTER_POSTGRES_PASSWORD ??
      (file === undefined ? undefined : readFileSync(file, 'utf8').trim());
    if (password === undefined && options.create !== false) {
      throw new HeadwayError(
        ErrorCode.ConfigInvalid,
        'no password for stack.cluster.postgres.url',
        {
          hint: 'set HEADWAY_CLUSTER_POSTGRES_PASSWORD or stack.cluster.postgres.password_file',
        },
      );
    }
    return {
      host: u.hostname,
      port: u.port === '' ? 5432 : Number(u.port),
      user: decodeURIComponent(u.username) || cluster.topology.persistence.user,
      password: password ?? '',
      managed: false,
    };
  }
  const path = passwordFile(layout);
  if (!existsSync(path) && options.create === false) {
    return {
      host: LOOPBACK,
      port: cluster.postgres.port,
      user: cluster.topology.persistence.user,
      password: '',
      managed: true,
    };
  }
  if (!existsSync(path)) {
    mkdirSync(join(layout.root, 'postgres'), { recursive: true });
    writeFileSync(path, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return {
    host: LOOPBACK,
    port: cluster.postgres.port,
    user: cluster.topology.persistence.user,
    password: readFileSync(path, 'utf8').trim(),
    managed: true,
  };
}

function asOwner(bin: string, args: readonly string[]): { command: string; args: string[] } {
  if (!isRoot()) return { command: bin, args: [...args] };
  // setpriv execs (runuser forks), so the supervisor's pid is the server's own.
  return {
    command: 'setpriv',
    args: [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', '--', bin, ...args],
  };
}

function postgresBinDir(cluster: ClusterSection): string {
  const dir = findPostgresBinDir(cluster.postgres.bin_dir);
  if (dir === undefined) {
    throw new HeadwayError(ErrorCode.BinaryNotFound, 'PostgreSQL server binaries not found', {
      hint:
        'apt-get install postgresql (Headway runs initdb and postgres itself), set ' +
        'stack.cluster.postgres.bin_dir, or give a server with stack.cluster.postgres.url',
    });
  }
  return dir;
}

/** Creates the database cluster once (`initdb`); a no-op when it exists. Returns what it did. */
export function initPostgres(
  cluster: ClusterSection,
  layout: StateLayout,
  target: PostgresTarget,
): string | undefined {
  const data = postgresDataDir(layout);
  if (existsSync(join(data, 'PG_VERSION'))) return undefined;
  const bin = postgresBinDir(cluster);
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const pwfile = join(data, '..', `.headway-pw-${String(process.pid)}`);
  writeFileSync(pwfile, target.password, { mode: 0o600 });
  try {
    if (isRoot()) {
      const owner = spawnSync('id', ['-u', OWNER], { encoding: 'utf8' });
      const uid = Number(owner.stdout.trim());
      const gid = Number(spawnSync('id', ['-g', OWNER], { encoding: 'utf8' }).stdout.trim());
      if (owner.status !== 0 || !Number.isInteger(uid)) {
        throw new HeadwayError(ErrorCode.Internal, `running as root needs a "${OWNER}" user`, {
          hint: 'apt-get install postgresql creates it; or run headway as a normal user',
        });
      }
      chownSync(data, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    const { command, args } = asOwner(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      ADMIN_USER,
      `--pwfile=${pwfile}`,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      rmSync(data, { recursive: true, force: true });
      throw new HeadwayError(ErrorCode.ServiceExited, 'initdb failed', {
        details: `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-8),
        hint: `see the PostgreSQL binaries in ${bin}`,
      });
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
  return `created a PostgreSQL cluster in ${data}`;
}

/** The server process, supervised like every other service. */
export function postgresService(
  cluster: ClusterSection,
  layout: StateLayout,
  target: PostgresTarget,
): ServiceSpec {
  const data = postgresDataDir(layout);
  const { command, args } = asOwner(join(postgresBinDir(cluster), 'postgres'), [
    '-D',
    data,
    '-h',
    LOOPBACK,
    '-p',
    String(target.port),
    // The socket goes in the data dir: /var/run/postgresql may not exist or be writable.
    '-k',
    data,
    '-c',
    `max_connections=${String(maxConnections(cluster))}`,
    // Commits are acknowledged before the WAL reaches disk: a machine crash may lose the last
    // moments, never consistency; a local cluster is much faster for it.
    '-c',
    'synchronous_commit=off',
    '-c',
    'log_destination=stderr',
    // A history host that hangs mid-transaction (a frozen process, a partitioned host) keeps its
    // read lock on the shard row, and the instance taking over its shards waits on that lock for
    // as long as the connection lives: the shards never move. Temporal's transactions take
    // milliseconds; one idle this long belongs to a client that is gone.
    '-c',
    'idle_in_transaction_session_timeout=15s',
  ]);
  const address = `${LOOPBACK}:${String(target.port)}`;
  return {
    name: 'postgres',
    command,
    args,
    cwd: join(layout.root, 'postgres'),
    logFile: layout.serviceLog('postgres'),
    ports: { postgres: target.port },
    url: `postgres://${target.user}@${address}/`,
    endpoints: [{ label: 'postgres', value: address }],
    // SIGTERM would wait for every client to leave ("smart" shutdown); SIGINT is the fast one.
    stopSignal: 'SIGINT',
    stopAfterOthers: true,
    probe: (timeoutMs) => canConnect(adminTarget(target), 'postgres', timeoutMs),
  };
}

/** True when a password login to `database` works. Never throws. */
export async function canConnect(
  target: PostgresTarget,
  database: string,
  timeoutMs: number,
): Promise<boolean> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    connectionTimeoutMillis: timeoutMs,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * What `down --volumes` removes of a managed server besides the state dir's `postgres/` (already
 * among the layout's volumes): its data dir, which is elsewhere when running as root.
 */
export function postgresVolumes(layout: StateLayout): string[] {
  return [postgresDataDir(layout)];
}

/** Creates Temporal's login role on the managed server when it is missing (CREATEDB, no superuser). */
export async function ensureTemporalRole(target: PostgresTarget): Promise<string | undefined> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: ADMIN_USER,
    password: target.password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [target.user]);
    if (found.rowCount !== 0) return undefined;
    // DDL takes no parameters; both are quoted by the driver's own escaping.
    await client.query(
      `CREATE ROLE ${client.escapeIdentifier(target.user)} LOGIN CREATEDB PASSWORD ${client.escapeLiteral(target.password)}`,
    );
    return `created role ${target.user}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
