import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { StoreSectionSchema } from '../config/copilot.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { findFreePorts } from '../os/ports.js';

import { MIGRATIONS } from './migrations.js';
import { describeStore, openStore } from './open.js';

const SECRET = 'hunter2-do-not-log';

const config = (store: Record<string, unknown>, stateDir = '/var/lib/headway') => ({
  state_dir: stateDir,
  store: StoreSectionSchema.parse(store),
});

async function caught(p: Promise<unknown>): Promise<HeadwayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HeadwayError) return err;
    throw err;
  }
  throw new Error('expected a HeadwayError');
}

describe('describeStore', () => {
  it('names the backend openStore would choose, without secrets', () => {
    expect(describeStore(config({}))).toBe('pglite /var/lib/headway/store');
    expect(describeStore(config({ pglite_dir: '/data/pg' }))).toBe('pglite /data/pg');
    expect(describeStore(config({ url: `postgres://u:${SECRET}@db.internal/headway` }))).toBe(
      'postgres postgres://u:***@db.internal/headway',
    );
    expect(
      describeStore(
        config({ dsql: { endpoint: 'abc.dsql.us-east-1.on.aws', region: 'us-east-1' } }),
      ),
    ).toBe('dsql abc.dsql.us-east-1.on.aws (us-east-1)');
  });
});

describe('openStore', () => {
  it('defaults to PGlite in STATE_DIR/store, migrated and ready', async () => {
    const dir = makeTempDir('headway-open-');
    onTestFinished(dir.remove);
    const opened = await openStore(config({}, dir.path));
    onTestFinished(() => opened.close());
    expect(opened.description).toBe(`pglite ${join(dir.path, 'store')}`);
    expect(existsSync(join(dir.path, 'store'))).toBe(true);
    const rows = await opened.driver.query<{ version: number }>(
      'versions',
      'SELECT max(version) AS version FROM schema_migrations',
    );
    expect(rows[0]?.version).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    await opened.store.ping();
  });

  it('uses store.pglite_dir when set', async () => {
    const dir = makeTempDir('headway-open-');
    onTestFinished(dir.remove);
    const opened = await openStore(
      config({ pglite_dir: join(dir.path, 'elsewhere') }, '/nonexistent'),
    );
    onTestFinished(() => opened.close());
    expect(opened.description).toBe(`pglite ${join(dir.path, 'elsewhere')}`);
    expect(existsSync(join(dir.path, 'elsewhere'))).toBe(true);
  });

  it('chooses PostgreSQL for store.url, and an unreachable one fails with a hint and no password', async () => {
    const [port] = await findFreePorts(1);
    const url = `postgres://headway:${SECRET}@127.0.0.1:${String(port)}/headway`;
    const err = await caught(openStore(config({ url })));
    expect(err.code).toBe(ErrorCode.StoreUnavailable);
    expect(err.message).toContain(`postgres://headway:***@127.0.0.1:${String(port)}/headway`);
    expect(err.hint).toBeDefined();
    expect(JSON.stringify({ ...err.toJSON(), stack: err.stack })).not.toContain(SECRET);
  });

  it('chooses Aurora DSQL for store.dsql.endpoint', async () => {
    const [port] = await findFreePorts(1);
    const err = await caught(
      openStore(config({ dsql: { endpoint: '127.0.0.1', region: 'eu-central-1' } }), {
        dsql: { port, ssl: false, tokenProvider: () => Promise.resolve(SECRET) },
      }),
    );
    expect(err.code).toBe(ErrorCode.StoreUnavailable);
    expect(err.message).toContain('dsql 127.0.0.1 (eu-central-1)');
  });

  it('reports a PGlite directory it cannot create', async () => {
    const dir = makeTempDir('headway-open-');
    onTestFinished(dir.remove);
    const file = join(dir.path, 'file');
    writeFileSync(file, 'not a directory');
    const err = await caught(openStore(config({ pglite_dir: join(file, 'store') })));
    expect(err.code).toBe(ErrorCode.StateDirInvalid);
    expect(err.hint).toContain(join(file, 'store'));
  });
});
