import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { StoreSectionSchema } from '../../src/config/copilot.js';
import { ErrorCode, HeadwayError } from '../../src/errors.js';
import { StoreQueryError, type SqlDriver } from '../../src/store/driver.js';
import { createDsqlDriver } from '../../src/store/dsql-driver.js';
import { migrate } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { redactUrl } from '../../src/log/redact.js';
import {
  createPostgresDriver,
  type PostgresDriverOptions,
} from '../../src/store/postgres-driver.js';
import { createAssessmentStore } from '../../src/store/repository.js';
import { withOccRetry } from '../../src/store/retry.js';
import { eventually } from '../helpers/cli.js';
import {
  adminQuery,
  createTestDatabase,
  createTestSchema,
  startTestPostgres,
  withDatabase,
  type TestDatabase,
  type TestPostgresServer,
} from '../helpers/postgres.js';
import { assessment, describeStoreSuite } from '../helpers/store-suite.js';

const SECRET = 'hunter2-do-not-log';

let server: TestPostgresServer | undefined;
let database: TestDatabase | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  database = await createTestDatabase(server);
});

afterAll(async () => {
  try {
    await database?.drop();
  } finally {
    await server?.stop();
  }
});

function db(): TestDatabase {
  if (database === undefined) throw new Error('the test database was not created');
  return database;
}

/** A driver on a fresh schema of the file's database, closed when the test ends. */
async function freshDriver(options?: PostgresDriverOptions) {
  const driver = createPostgresDriver(await createTestSchema(db()), options);
  onTestFinished(() => driver.close());
  return driver;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Everything an error could show: message, hint, details, cause, stack. */
const everything = (err: unknown): string =>
  err instanceof Error
    ? JSON.stringify({ ...(err as HeadwayError).toJSON(), cause: err.cause, stack: err.stack })
    : JSON.stringify(err);

/** Resolves the returned function's promise once `n` callers are waiting on it. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived >= n) open();
    return all;
  };
}

describeStoreSuite('real PostgreSQL', {
  fresh: async () => createPostgresDriver(await createTestSchema(db())),
  durable: async () => {
    const url = await createTestSchema(db());
    return () => Promise.resolve(createPostgresDriver(url));
  },
});

describe('createPostgresDriver (real PostgreSQL)', () => {
  it('runs parameterised queries; timestamps come back as Date', async () => {
    const driver = await freshDriver();
    expect(driver.dialect).toBe('postgres');
    expect(await driver.query('add', 'SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    const at = new Date('2026-11-01T12:00:00.123Z');
    const [row] = await driver.query<{ t: Date; ids: string[] }>(
      'types',
      'SELECT $1::timestamptz AS t, $2::uuid[] AS ids',
      [at, [randomUUID()]],
    );
    expect(row?.t).toEqual(at);
    expect(row?.ids).toHaveLength(1);
  });

  it('names the query and SQLSTATE in errors, never parameters or key values', async () => {
    const driver = await freshDriver();
    const err = await caught(driver.query('parse secret as uuid', 'SELECT $1::uuid', [SECRET]));
    expect(err).toBeInstanceOf(StoreQueryError);
    expect(err).toMatchObject({ queryName: 'parse secret as uuid', sqlState: '22P02' });
    expect(everything(err)).not.toContain(SECRET);

    await driver.query('create', 'CREATE TABLE t (k TEXT PRIMARY KEY)');
    await driver.query('insert', 'INSERT INTO t VALUES ($1)', [SECRET]);
    const dup = await caught(driver.query('insert again', 'INSERT INTO t VALUES ($1)', [SECRET]));
    expect(dup).toMatchObject({ sqlState: '23505', details: ['table: t', 'constraint: t_pkey'] });
    expect(everything(dup)).not.toContain(SECRET);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const driver = await freshDriver();
    await driver.query('create', 'CREATE TABLE t (k INT)');
    expect(
      await driver.transaction(async (tx) => {
        await tx.query('insert', 'INSERT INTO t VALUES (1)');
        return 'done';
      }),
    ).toBe('done');
    await expect(
      driver.transaction(async (tx) => {
        await tx.query('insert', 'INSERT INTO t VALUES (2)');
        await tx.query('bad', 'SELECT * FROM missing_table');
      }),
    ).rejects.toMatchObject({ queryName: 'bad', sqlState: '42P01' });
    const boom = new Error('not a store error');
    await expect(
      driver.transaction(async (tx) => {
        await tx.query('insert', 'INSERT INTO t VALUES (3)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await driver.query('rows', 'SELECT k FROM t ORDER BY k')).toEqual([{ k: 1 }]);
  });

  it('opens transactions at the configured isolation level', async () => {
    const level = async (options?: PostgresDriverOptions) => {
      const driver = await freshDriver(options);
      return driver.transaction(async (tx) => {
        const rows = await tx.query<{ transaction_isolation: string }>(
          'isolation',
          'SHOW transaction_isolation',
        );
        return rows[0]?.transaction_isolation;
      });
    };
    expect(await level()).toBe('read committed');
    expect(await level({ isolation: 'repeatable read' })).toBe('repeatable read');
    expect(await level({ isolation: 'serializable' })).toBe('serializable');
  });

  it('survives an idle pooled connection being killed, and counts it', async () => {
    const driver = await freshDriver({ max: 1 });
    const [row] = await driver.query<{ pid: number }>('pid', 'SELECT pg_backend_pid() AS pid');
    // Unhandled, the pool's `error` event for this would crash the test process.
    await adminQuery(db().url, `SELECT pg_terminate_backend(${String(row?.pid)})`);
    await eventually('the pool to notice', () => (driver.idleErrors() > 0 ? true : undefined));
    expect(await driver.query('after', 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('drops a connection killed inside a transaction and keeps working', async () => {
    const driver = await freshDriver({ max: 1 });
    const err = await caught(
      driver.transaction(async (tx) => {
        const [row] = await tx.query<{ pid: number }>('pid', 'SELECT pg_backend_pid() AS pid');
        await adminQuery(db().url, `SELECT pg_terminate_backend(${String(row?.pid)})`);
        await tx.query('after kill', 'SELECT 1');
      }),
    );
    expect(err).toBeInstanceOf(HeadwayError);
    expect([ErrorCode.StoreUnavailable, ErrorCode.StoreQueryFailed]).toContain(
      (err as HeadwayError).code,
    );
    // max 1: had the broken client gone back to the pool, this would fail.
    expect(await driver.query('after', 'SELECT 2 AS ok')).toEqual([{ ok: 2 }]);
  });

  it('reports a wrong password as SQLSTATE 28P01, without the password', async () => {
    const url = new URL(db().url);
    url.password = SECRET;
    const driver = createPostgresDriver(url.toString());
    onTestFinished(() => driver.close());
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err).toBeInstanceOf(StoreQueryError);
    expect(err).toMatchObject({ sqlState: '28P01', queryName: 'ping' });
    expect((err as StoreQueryError).details).toEqual([`server: ${redactUrl(url.toString())}`]);
    expect(everything(err)).not.toContain(SECRET);
  });

  it('reports a missing database as SQLSTATE 3D000', async () => {
    const driver = createPostgresDriver(withDatabase(db().url, 'hw_no_such_database'));
    onTestFinished(() => driver.close());
    await expect(driver.query('ping', 'SELECT 1')).rejects.toMatchObject({ sqlState: '3D000' });
  });
});

describe('openStore on PostgreSQL', () => {
  const config = (url: string) => ({
    state_dir: '/nonexistent',
    store: StoreSectionSchema.parse({ url }),
  });

  it('opens, migrates, and describes the store without its password', async () => {
    const url = await createTestSchema(db());
    const password = new URL(url).password;
    const opened = await openStore(config(url));
    onTestFinished(() => opened.close());
    expect(opened.description).toBe(`postgres ${redactUrl(url)}`);
    expect(opened.description).not.toContain(password);
    expect(opened.description).toContain(':***@');
    expect(opened.driver.dialect).toBe('postgres');
    const saved = await opened.store.saveAssessment(assessment(new Date()));
    expect(await opened.store.latestAssessment()).toEqual(saved);
    // A second open finds the schema in place.
    const again = await openStore(config(url));
    await again.close();
  });

  it('turns bad credentials into STORE_UNAVAILABLE with a hint and no secret', async () => {
    const url = new URL(db().url);
    url.password = SECRET;
    const err = await caught(openStore(config(url.toString())));
    expect(err).toBeInstanceOf(HeadwayError);
    expect(err).toMatchObject({ code: ErrorCode.StoreUnavailable });
    expect((err as HeadwayError).hint).toMatch(/credentials/);
    expect((err as HeadwayError).message).toContain('28P01');
    expect((err as HeadwayError).message).toContain(redactUrl(url.toString()));
    expect(everything(err)).not.toContain(SECRET);
  });
});

describe('createDsqlDriver (against a real PostgreSQL, no AWS)', () => {
  /** The DSQL driver aimed at the test database, with the real password as its "token". */
  function dsqlDriver(tokenProvider: () => Promise<string>, max = 3) {
    const url = new URL(db().url);
    const driver = createDsqlDriver({
      endpoint: url.hostname,
      region: 'us-east-1',
      database: url.pathname.slice(1),
      user: decodeURIComponent(url.username),
      port: Number(url.port),
      ssl: false,
      max,
      tokenProvider,
    });
    onTestFinished(() => driver.close());
    return { driver, password: decodeURIComponent(url.password) };
  }

  it('asks the token provider once per new connection, and queries work', async () => {
    let calls = 0;
    const url = new URL(db().url);
    const { driver } = dsqlDriver(() => {
      calls++;
      return Promise.resolve(decodeURIComponent(url.password));
    }, 3);
    expect(driver.dialect).toBe('dsql');
    // Three transactions held open together need three connections.
    const wait = barrier(3);
    const pids = await Promise.all(
      [1, 2, 3].map(() =>
        driver.transaction(async (tx) => {
          const [row] = await tx.query<{ pid: number }>('pid', 'SELECT pg_backend_pid() AS pid');
          await wait();
          return row?.pid;
        }),
      ),
    );
    expect(new Set(pids).size).toBe(3);
    expect(calls).toBe(3);
    for (let i = 0; i < 5; i++) {
      expect(await driver.query('n', 'SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
    }
    expect(calls).toBe(3);

    // A connection the server dropped is replaced, with a fresh token.
    const [row] = await driver.query<{ pid: number }>('pid', 'SELECT pg_backend_pid() AS pid');
    await adminQuery(db().url, `SELECT pg_terminate_backend(${String(row?.pid)})`);
    await eventually('the pool to notice', () => (driver.idleErrors() > 0 ? true : undefined));
    await Promise.all(
      [1, 2, 3].map(() => driver.transaction(() => wait())), // the barrier is already open
    );
    expect(calls).toBe(4);
  });

  it('turns a token provider failure into STORE_UNAVAILABLE with an AWS hint', async () => {
    const sockets = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = sockets();
    const { driver } = dsqlDriver(() =>
      Promise.reject(new Error(`credentials ${SECRET} could not be loaded`)),
    );
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err).toBeInstanceOf(HeadwayError);
    expect(err).toMatchObject({ code: ErrorCode.StoreUnavailable });
    expect((err as HeadwayError).hint).toMatch(/AWS credentials/);
    expect(everything(err)).not.toContain(SECRET);
    // node-postgres alone would leave this socket open, and the server waiting a minute for a
    // password that never comes.
    await eventually('the failed connection to close', () =>
      sockets() <= before ? true : undefined,
    );
  });

  it('reports a rejected token as SQLSTATE 28P01', async () => {
    const { driver } = dsqlDriver(() => Promise.resolve(SECRET));
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err).toMatchObject({ sqlState: '28P01' });
    expect(everything(err)).not.toContain(SECRET);
  });

  it('insists on TLS by default (this PostgreSQL offers none)', async () => {
    const url = new URL(db().url);
    const driver = createDsqlDriver({
      endpoint: url.hostname,
      region: 'us-east-1',
      port: Number(url.port),
      tokenProvider: () => Promise.resolve('unused'),
    });
    onTestFinished(() => driver.close());
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err).toMatchObject({ code: ErrorCode.StoreUnavailable });
    expect((err as HeadwayError).message).toContain('does not support SSL');
  });
});

describe('optimistic concurrency (real PostgreSQL, SERIALIZABLE)', () => {
  const N = 12;

  async function counterDriver() {
    const driver = await freshDriver({ isolation: 'serializable', max: N + 4 });
    await driver.query('create', 'CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)');
    await driver.query('seed', 'INSERT INTO counters VALUES (1, 0)');
    return driver;
  }

  /** Read the counter, wait for `pause`, write counter + 1: a lost update unless serialized. */
  const increment = (driver: SqlDriver, pause: () => Promise<void>) =>
    driver.transaction(async (tx) => {
      const [row] = await tx.query<{ n: number }>('read', 'SELECT n FROM counters WHERE id = 1');
      await pause();
      await tx.query('write', 'UPDATE counters SET n = $1 WHERE id = 1', [(row?.n ?? 0) + 1]);
    });

  const counter = async (driver: SqlDriver) =>
    (await driver.query<{ n: number }>('final', 'SELECT n FROM counters WHERE id = 1'))[0]?.n;

  it('without retry, concurrent read-then-write transactions fail with SQLSTATE 40001', async () => {
    const driver = await counterDriver();
    // Every transaction has read before any writes, so all but one must fail.
    const wait = barrier(N);
    const results = await Promise.allSettled(
      Array.from({ length: N }, () => increment(driver, wait)),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(StoreQueryError);
      expect(f.reason).toMatchObject({ sqlState: '40001' });
    }
    // The survivors' increments, and nothing else, are in the table.
    expect(await counter(driver)).toBe(N - failed.length);
  });

  it('through withOccRetry, every one commits and the count is exact', async () => {
    const driver = await counterDriver();
    const wait = barrier(N);
    let runs = 0;
    await Promise.all(
      Array.from({ length: N }, () => {
        let first = true;
        return withOccRetry(
          () => {
            runs++;
            // Only first attempts meet at the barrier; a retry goes straight through.
            const pause = first ? wait : () => Promise.resolve();
            first = false;
            return increment(driver, pause);
          },
          // Twelve writers on one row is far more contention than the store ever sees.
          { attempts: 12 },
        );
      }),
    );
    expect(await counter(driver)).toBe(N);
    expect(runs).toBeGreaterThan(N);
  });

  it('through withOccRetry, write skew is serialized: each insert saw all earlier ones', async () => {
    const driver = await freshDriver({ isolation: 'serializable', max: N + 4 });
    await driver.query('create', 'CREATE TABLE seen (id UUID PRIMARY KEY, before INT NOT NULL)');
    const wait = barrier(N);
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: N }, () => {
        let first = true;
        return withOccRetry(
          async () => {
            const pause = first ? wait : () => Promise.resolve();
            first = false;
            try {
              await driver.transaction(async (tx) => {
                const [row] = await tx.query<{ n: number }>(
                  'count',
                  'SELECT count(*)::int AS n FROM seen',
                );
                await pause();
                await tx.query('insert', 'INSERT INTO seen VALUES ($1, $2)', [
                  randomUUID(),
                  row?.n ?? -1,
                ]);
              });
            } catch (err) {
              if ((err as StoreQueryError).sqlState === '40001') conflicts++;
              throw err;
            }
          },
          { attempts: 12 },
        );
      }),
    );
    const rows = await driver.query<{ before: number }>(
      'all',
      'SELECT before FROM seen ORDER BY before',
    );
    expect(rows.map((r) => r.before)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(conflicts).toBeGreaterThan(0);
  });

  it('concurrent saveAssessment calls store every assessment and issue exactly once', async () => {
    const driver = await freshDriver({ isolation: 'serializable', max: 20 });
    await migrate(driver);
    const store = createAssessmentStore(driver, { retry: { attempts: 12 } });
    const ids = Array.from({ length: 12 }, () => randomUUID());
    // Four ids are saved twice at once, as a retried activity racing its first attempt would.
    const inputs = [...ids, ...ids.slice(0, 4)].map((id, i) =>
      assessment(new Date(Date.UTC(2026, 10, 1, 12, i)), { id, summary: `save ${String(i)}` }),
    );
    const saved = await Promise.all(inputs.map((input) => store.saveAssessment(input)));

    const count = async (sql: string) => (await driver.query<{ n: number }>('count', sql))[0]?.n;
    expect(await count('SELECT count(*)::int AS n FROM health_assessments')).toBe(ids.length);
    expect(await count('SELECT count(*)::int AS n FROM issues')).toBe(ids.length * 2);
    expect(await count('SELECT count(DISTINCT id)::int AS n FROM issues')).toBe(ids.length * 2);
    for (const a of saved) {
      expect(await store.assessmentById(a.id)).toEqual(a);
      expect(await store.issuesOf(a.id, { limit: 10 })).toHaveLength(2);
    }
  });
});
