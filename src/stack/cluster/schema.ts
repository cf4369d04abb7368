/**
 * `headway schema setup | status | upgrade`: the two databases Temporal needs (the default store
 * and SQL advanced visibility), created and versioned with the server's own temporal-sql-tool and
 * its embedded PostgreSQL 12 schema. Idempotent; refuses a schema newer than the binaries.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import pg from 'pg';

import { ErrorCode, HeadwayError, errorMessage } from '../../errors.js';
import { SCHEMA_VERSIONS, type Topology } from '../../topology/model.js';

import type { PostgresTarget } from './postgres.js';

const execFileAsync = promisify(execFile);

export type SchemaKind = keyof typeof SCHEMA_VERSIONS;
export type SchemaState = 'missing' | 'empty' | 'current' | 'behind' | 'ahead';

export interface SchemaStatus {
  readonly kind: SchemaKind;
  readonly database: string;
  /** Version recorded in the database; null when there is no database or no schema yet. */
  readonly version: string | null;
  /** What these binaries expect. */
  readonly expected: string;
  readonly state: SchemaState;
}

/** Compares dotted versions numerically ("1.18" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function databases(topology: Topology): Record<SchemaKind, string> {
  return {
    temporal: topology.persistence.database,
    visibility: topology.persistence.visibility_database,
  };
}

async function withClient<T>(
  target: PostgresTarget,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (err) {
    throw new HeadwayError(
      ErrorCode.StoreUnavailable,
      `PostgreSQL at ${target.host}:${String(target.port)} refused a login as ${target.user}: ${errorMessage(err)}`,
      {
        hint: target.managed
          ? 'start the cluster with `headway up --profile cluster` (`headway ps` shows it); see `headway logs postgres`'
          : 'check stack.cluster.postgres.url and its password (HEADWAY_CLUSTER_POSTGRES_PASSWORD)',
      },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Where both databases stand against what the binaries expect. Reads only. */
export async function schemaStatus(
  target: PostgresTarget,
  topology: Topology,
): Promise<SchemaStatus[]> {
  const names = databases(topology);
  const existing = await withClient(target, 'postgres', async (c) => {
    const r = await c.query<{ datname: string }>('SELECT datname FROM pg_database');
    return new Set(r.rows.map((row) => row.datname));
  });
  const out: SchemaStatus[] = [];
  for (const kind of Object.keys(names) as SchemaKind[]) {
    const database = names[kind];
    const expected = SCHEMA_VERSIONS[kind];
    if (!existing.has(database)) {
      out.push({ kind, database, version: null, expected, state: 'missing' });
      continue;
    }
    const version = await withClient(target, database, async (c) => {
      const table = await c.query("SELECT to_regclass('public.schema_version') AS t");
      if ((table.rows[0] as { t: unknown }).t === null) return null;
      const r = await c.query<{ curr_version: string }>(
        'SELECT curr_version FROM schema_version WHERE version_partition = 0 AND db_name = $1',
        [database],
      );
      return r.rows[0]?.curr_version ?? null;
    });
    const state: SchemaState =
      version === null || version === '0.0'
        ? 'empty'
        : compareVersions(version, expected) === 0
          ? 'current'
          : compareVersions(version, expected) < 0
            ? 'behind'
            : 'ahead';
    out.push({ kind, database, version, expected, state });
  }
  return out;
}

async function sqlTool(
  bin: string,
  target: PostgresTarget,
  database: string,
  args: readonly string[],
): Promise<void> {
  const common = [
    '--plugin',
    'postgres12',
    '--ep',
    target.host,
    '-p',
    String(target.port),
    '-u',
    target.user,
    '--db',
    database,
  ];
  try {
    // The password goes by environment (SQL_PASSWORD), never argv where `ps` shows it.
    await execFileAsync(bin, [...common, ...args], {
      env: { ...process.env, SQL_PASSWORD: target.password },
      timeout: 300_000,
      maxBuffer: 8 << 20,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    const output = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-8);
    throw new HeadwayError(
      ErrorCode.SchemaFailed,
      `temporal-sql-tool ${args[0] ?? ''} failed on ${database}`,
      {
        details: output,
        hint: 'see the lines above; `headway schema status` shows where it stands',
      },
    );
  }
}

/**
 * Brings both databases to the binaries' version: creates a missing database, sets up an empty one,
 * upgrades one that is behind (only when `allowUpgrade`). Returns one line per thing it did.
 */
export async function setupSchema(
  bin: string,
  target: PostgresTarget,
  topology: Topology,
  options: { readonly allowUpgrade: boolean; readonly onProgress: (line: string) => void },
): Promise<string[]> {
  const done: string[] = [];
  const say = (line: string): void => {
    done.push(line);
    options.onProgress(line);
  };
  for (const status of await schemaStatus(target, topology)) {
    const { kind, database, expected } = status;
    const schemaName = `postgresql/v12/${kind}`;
    if (status.state === 'ahead') {
      throw new HeadwayError(
        ErrorCode.SchemaMismatch,
        `database ${database} has schema ${String(status.version)}, newer than the ${expected} these binaries use`,
        {
          hint: 'use the Temporal binaries that wrote it, or a fresh database (`headway down --volumes` deletes the local one)',
        },
      );
    }
    if (status.state === 'current') continue;
    if (status.state === 'behind' && !options.allowUpgrade) {
      throw new HeadwayError(
        ErrorCode.SchemaMismatch,
        `database ${database} has schema ${String(status.version)}; these binaries need ${expected}`,
        { hint: 'run `headway schema upgrade` (back up the database first)' },
      );
    }
    if (status.state === 'missing') {
      await sqlTool(bin, target, database, ['create-database']);
      say(`created database ${database}`);
    }
    if (status.state === 'missing' || status.state === 'empty') {
      await sqlTool(bin, target, database, ['setup-schema', '-v', '0.0']);
    }
    await sqlTool(bin, target, database, ['update-schema', '--schema-name', schemaName]);
    say(
      status.state === 'behind'
        ? `upgraded ${database} from ${String(status.version)} to ${expected}`
        : `set up ${kind} schema ${expected} in ${database}`,
    );
  }
  return done;
}

/** Whether a Temporal service has written the cluster's metadata row (it does at its first start). */
export async function hasClusterMetadata(
  target: PostgresTarget,
  topology: Topology,
): Promise<boolean> {
  return withClient(target, databases(topology).temporal, async (client) => {
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM cluster_metadata_info');
    return Number(r.rows[0]?.n ?? 0) > 0;
  });
}
