import { describe, expect, it } from 'vitest';

import { assessment } from '../../test/helpers/store-suite.js';

import {
  createPgliteDriver,
  MEMORY,
  StoreQueryError,
  type Row,
  type SqlDriver,
  type SqlExecutor,
  type SqlParam,
} from './driver.js';
import { migrate } from './migrations.js';
import { createAssessmentStore, PRUNE_BATCH } from './repository.js';

/** Aurora DSQL's cap on the rows one transaction may modify. */
const DSQL_ROW_LIMIT = 3_000;

/**
 * A real PGlite driver that, like Aurora DSQL, refuses a transaction once it has modified more
 * than 3,000 rows (counted from the rows each INSERT/UPDATE/DELETE … RETURNING reports).
 */
function refusingLargeTransactions(db: SqlDriver, largest: { rows: number }): SqlDriver {
  return {
    ...db,
    transaction: (fn) =>
      db.transaction(async (tx) => {
        let touched = 0;
        const counted: SqlExecutor = {
          query: async <R extends Row = Row>(
            name: string,
            sql: string,
            params?: readonly SqlParam[],
          ): Promise<R[]> => {
            const rows = await tx.query<R>(name, sql, params);
            if (/^\s*(insert|update|delete)\b/i.test(sql)) {
              touched += rows.length;
              largest.rows = Math.max(largest.rows, touched);
              if (touched > DSQL_ROW_LIMIT) {
                throw new StoreQueryError(name, '54000', ['transaction modifies too many rows']);
              }
            }
            return rows;
          },
        };
        return fn(counted);
      }),
  };
}

const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n));

describe('prune stays inside DSQL’s 3,000-row transaction limit (real PGlite, limit enforced)', () => {
  // PGlite on a busy 2-core machine: a generous safety net; nothing here is timed.
  it('prunes a full batch of assessments with six issues each', { timeout: 120_000 }, async () => {
    const base = await createPgliteDriver(MEMORY);
    await migrate(base);
    const largest = { rows: 0 };
    const store = createAssessmentStore(refusingLargeTransactions(base, largest));
    const old = PRUNE_BATCH + 20;
    // One old assessment saved by the store, cloned by SQL (saving 520 one by one is slow):
    // 520 old assessments with six issues each, and one recent assessment.
    const template = await store.saveAssessment(assessment(day(0)));
    const columns = async (table: string) =>
      (
        await base.query<{ column_name: string }>(
          'columns',
          `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}'`,
        )
      ).map((r) => r.column_name);
    const quoted = (cols: string[]) => cols.map((c) => `"${c}"`);
    const a = await columns('health_assessments');
    await base.query(
      'clone assessments',
      `INSERT INTO health_assessments (${quoted(a).join(', ')})
       SELECT ${quoted(a)
         .map((c) =>
           c === '"id"'
             ? 'gen_random_uuid()'
             : c === '"timestamp"'
               ? `"timestamp" + n * interval '1 second'`
               : c,
         )
         .join(', ')}
       FROM health_assessments, generate_series(1, ${String(old - 1)}) AS n`,
    );
    const i = quoted((await columns('issues')).filter((c) => c !== 'id' && c !== 'assessment_id'));
    await base.query(
      'six issues each',
      `INSERT INTO issues ("id", "assessment_id", ${i.join(', ')})
       SELECT gen_random_uuid(), h.id, ${i.map((c) => `t.${c}`).join(', ')}
       FROM health_assessments h
       CROSS JOIN (SELECT * FROM issues WHERE assessment_id = $1) AS t
       CROSS JOIN generate_series(1, 3) AS k`,
      [template.id],
    );
    await base.query('the template’s own issues', 'DELETE FROM issues WHERE id = ANY($1::uuid[])', [
      template.issues.map((x) => x.id),
    ]);
    const count = async (table: string) =>
      (await base.query<{ n: number }>('count', `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    expect([await count('health_assessments'), await count('issues')]).toEqual([old, old * 6]);
    await store.saveAssessment(assessment(day(20)));
    const result = await store.prune(day(10));
    expect(result).toEqual({ snapshots: 0, assessments: old, issues: old * 6 });
    expect(largest.rows).toBeLessThanOrEqual(PRUNE_BATCH);
    const left = await store.assessmentsBetween(day(-1), day(30));
    expect(left.map((a) => a.timestamp)).toEqual([day(20).toISOString()]);
    const issues = await base.query<{ n: number }>(
      'count',
      'SELECT count(*)::int AS n FROM issues',
    );
    expect(issues[0]!.n).toBe(assessment(day(20)).issues.length);
    await base.close();
  });
});
