import { describe, expect, it, onTestFinished } from 'vitest';

import { createPgliteDriver, type SqlDriver } from './driver.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';

async function memoryDriver() {
  const db = await createPgliteDriver('memory');
  onTestFinished(() => db.close());
  return db;
}

/** A driver that records every statement and pretends to be DSQL. */
function recordingDsql(inner: SqlDriver, seen: string[]): SqlDriver {
  return {
    ...inner,
    dialect: 'dsql',
    query: (name, sql, params) => {
      seen.push(sql);
      // PGlite does not know ASYNC; strip it so the statement still runs.
      return inner.query(name, sql.replace('INDEX ASYNC', 'INDEX'), params);
    },
  };
}

describe('migrations', () => {
  it('are numbered strictly increasing, one statement each', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (const m of MIGRATIONS) {
      for (const dialect of ['postgres', 'dsql'] as const) {
        const sql = m.sql(dialect);
        expect(sql.trim().endsWith(';')).toBe(false);
        expect(sql).not.toContain(';');
        expect(sql).not.toMatch(/REFERENCES|SERIAL|JSONB?\b|SEQUENCE/i);
      }
    }
  });

  it('apply in order, then are idempotent', async () => {
    const db = await memoryDriver();
    const first = await migrate(db);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(first.version).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    const second = await migrate(db);
    expect(second).toEqual({ applied: [], version: first.version });
    const rows = await db.query<{ version: number }>(
      'versions',
      'SELECT version FROM schema_migrations ORDER BY applied_at, version',
    );
    expect(rows.map((r) => r.version)).toEqual(first.applied);
    const tables = await db.query<{ table_name: string }>(
      'tables',
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'health_assessments',
      'issues',
      'metrics_snapshots',
      'schema_migrations',
    ]);
  });

  it('applies only pending migrations, in version order, whatever the list order', async () => {
    const db = await memoryDriver();
    const order: number[] = [];
    const m = (version: number): Migration => ({
      version,
      name: `m${String(version)}`,
      sql: () => {
        order.push(version);
        return `CREATE TABLE IF NOT EXISTS m${String(version)} (id UUID PRIMARY KEY)`;
      },
    });
    await migrate(db, [m(2), m(1)]);
    expect(order).toEqual([1, 2]);
    order.length = 0;
    const report = await migrate(db, [m(3), m(1), m(2)]);
    expect(report).toEqual({ applied: [3], version: 3 });
    expect(order).toEqual([3]);
  });

  it('rejects duplicate versions', async () => {
    const db = await memoryDriver();
    const m: Migration = { version: 1, name: 'x', sql: () => 'SELECT 1' };
    await expect(migrate(db, [m, m])).rejects.toThrow('duplicate migration version 1');
  });

  it('uses CREATE INDEX ASYNC only for DSQL', async () => {
    const pg = MIGRATIONS.map((m) => m.sql('postgres')).filter((s) => s.includes('INDEX'));
    const dsql = MIGRATIONS.map((m) => m.sql('dsql')).filter((s) => s.includes('INDEX'));
    expect(pg.length).toBeGreaterThan(0);
    expect(pg.every((s) => s.startsWith('CREATE INDEX IF NOT EXISTS'))).toBe(true);
    expect(dsql.every((s) => s.startsWith('CREATE INDEX ASYNC IF NOT EXISTS'))).toBe(true);

    const seen: string[] = [];
    const db = recordingDsql(await memoryDriver(), seen);
    await migrate(db);
    expect(seen.filter((s) => s.includes('CREATE INDEX ASYNC'))).toHaveLength(dsql.length);
  });
});
