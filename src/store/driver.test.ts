import { describe, expect, it, onTestFinished } from 'vitest';

import { ErrorCode } from '../errors.js';

import { createPgliteDriver, StoreQueryError } from './driver.js';

const SECRET = 'hunter2-do-not-log';

async function memoryDriver() {
  const db = await createPgliteDriver('memory');
  onTestFinished(() => db.close());
  return db;
}

async function caught(p: Promise<unknown>): Promise<StoreQueryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StoreQueryError) return err;
    throw err;
  }
  throw new Error('expected a StoreQueryError');
}

describe('createPgliteDriver (real PGlite)', () => {
  it('runs parameterised queries and returns rows', async () => {
    const db = await memoryDriver();
    expect(db.dialect).toBe('postgres');
    const rows = await db.query<{ n: number }>('add', 'SELECT $1::int + 1 AS n', [41]);
    expect(rows).toEqual([{ n: 42 }]);
  });

  it('names the query and SQLSTATE in errors, never the parameter values', async () => {
    const db = await memoryDriver();
    // PostgreSQL quotes the bad value in its own message; the wrapper must not pass it on.
    const err = await caught(db.query('parse secret as uuid', 'SELECT $1::uuid', [SECRET]));
    expect(err.code).toBe(ErrorCode.StoreQueryFailed);
    expect(err.queryName).toBe('parse secret as uuid');
    expect(err.sqlState).toBe('22P02');
    expect(err.message).toContain('parse secret as uuid');
    expect(err.message).toContain('22P02');
    const everything = JSON.stringify({ ...err.toJSON(), cause: err.cause, stack: err.stack });
    expect(everything).not.toContain(SECRET);
  });

  it('keeps schema names but not key values on constraint violations', async () => {
    const db = await memoryDriver();
    await db.query('create', 'CREATE TABLE t (k TEXT PRIMARY KEY)');
    await db.query('insert', 'INSERT INTO t VALUES ($1)', [SECRET]);
    const err = await caught(db.query('insert again', 'INSERT INTO t VALUES ($1)', [SECRET]));
    expect(err.sqlState).toBe('23505');
    expect(err.details).toContain('constraint: t_pkey');
    expect(JSON.stringify({ ...err.toJSON(), stack: err.stack })).not.toContain(SECRET);
  });

  it('rolls a transaction back when its function throws', async () => {
    const db = await memoryDriver();
    await db.query('create', 'CREATE TABLE t (k INT)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert', 'INSERT INTO t VALUES (1)');
        await tx.query('bad', 'SELECT * FROM missing_table');
      }),
    ).rejects.toMatchObject({ queryName: 'bad', sqlState: '42P01' });
    expect(await db.query('count', 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
  });
});
