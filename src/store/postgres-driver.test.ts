import { describe, expect, it, onTestFinished } from 'vitest';

import { ErrorCode, HeadwayError } from '../errors.js';
import { redactUrl } from '../log/redact.js';
import { findFreePorts } from '../os/ports.js';

import { createDsqlDriver, DSQL_MAX_CONNECTION_LIFETIME_S } from './dsql-driver.js';
import { createPostgresDriver } from './postgres-driver.js';

const SECRET = 'hunter2-do-not-log';

async function caught(p: Promise<unknown> | (() => unknown)): Promise<HeadwayError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof HeadwayError) return err;
    throw err;
  }
  throw new Error('expected a HeadwayError');
}

const everything = (err: HeadwayError) =>
  JSON.stringify({ ...err.toJSON(), cause: err.cause, stack: err.stack });

describe('redactUrl', () => {
  it.each([
    ['postgres://user:pw@host:5432/db', 'postgres://user:***@host:5432/db'],
    ['postgresql://u:p%40ss%3Aword@h/db', 'postgresql://u:***@h/db'],
    ['postgres://u:p@ss@h/db', 'postgres://u:***@h/db'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['postgres://host/db', 'postgres://host/db'],
    [
      'postgres://u@h/db?sslmode=require&password=pw&sslpassword=k',
      'postgres://u@h/db?sslmode=require&password=***&sslpassword=***',
    ],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('keeps only the scheme of a URL that does not parse', () => {
    expect(redactUrl(`postgres://u:${SECRET}@[bad/db`)).toBe('postgres://<unparseable URL>');
    expect(redactUrl(`not a url ${SECRET}`)).toBe('<unparseable URL>');
  });
});

describe('createPostgresDriver without a server', () => {
  it('rejects a URL that does not parse, without repeating it', async () => {
    const err = await caught(() => createPostgresDriver(`postgres://u:${SECRET}@[bad/db`));
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.hint).toContain('postgres://user:password@host:5432/database');
    expect(everything(err)).not.toContain(SECRET);
  });

  it('maps a refused connection to STORE_UNAVAILABLE with a redacted URL and a hint', async () => {
    const [port] = await findFreePorts(1);
    const url = `postgres://headway:${SECRET}@127.0.0.1:${String(port)}/headway`;
    const driver = createPostgresDriver(url);
    onTestFinished(() => driver.close());
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err.code).toBe(ErrorCode.StoreUnavailable);
    expect(err.message).toBe(
      `cannot reach the assessment store at postgres://headway:***@127.0.0.1:${String(port)}/headway (ECONNREFUSED)`,
    );
    expect(err.hint).toContain(`127.0.0.1:${String(port)}`);
    expect(err.details).toEqual(['query: ping']);
    expect(everything(err)).not.toContain(SECRET);
    // The same for a transaction, which fails before BEGIN.
    const tx = await caught(driver.transaction(() => Promise.resolve()));
    expect(tx.code).toBe(ErrorCode.StoreUnavailable);
  });

  it('closes idempotently', async () => {
    const driver = createPostgresDriver('postgres://u@127.0.0.1:1/db');
    await driver.close();
    await driver.close();
  });
});

describe('createDsqlDriver without a cluster', () => {
  it('retires connections before DSQL closes them at 60 minutes', () => {
    expect(DSQL_MAX_CONNECTION_LIFETIME_S).toBeLessThan(60 * 60);
    expect(DSQL_MAX_CONNECTION_LIFETIME_S).toBeGreaterThanOrEqual(50 * 60);
  });

  it('names the endpoint and region when the cluster cannot be reached', async () => {
    const [port] = await findFreePorts(1);
    const driver = createDsqlDriver({
      endpoint: '127.0.0.1',
      region: 'us-east-1',
      port,
      tokenProvider: () => Promise.resolve(SECRET),
    });
    onTestFinished(() => driver.close());
    expect(driver.dialect).toBe('dsql');
    const err = await caught(driver.query('ping', 'SELECT 1'));
    expect(err.code).toBe(ErrorCode.StoreUnavailable);
    expect(err.message).toContain('dsql 127.0.0.1 (us-east-1)');
    expect(err.hint).toContain('HEADWAY_DSQL_ENDPOINT');
    expect(everything(err)).not.toContain(SECRET);
  });
});
