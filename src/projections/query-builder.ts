/**
 * knex as a query builder only: Postgres SQL run through our SqlExecutor, so it serves pg and PGlite.
 */
import knex from 'knex';
import type { Knex } from 'knex';
import type { SqlExecutor, SqlResult } from '../sql/client.ts';

export const qb: Knex = knex({ client: 'pg' });

const ROWS_PER_INSERT = 1_000;

/** Multi-row INSERT … ON CONFLICT DO NOTHING, so a re-applied batch changes nothing. */
export async function insertIgnoring(db: SqlExecutor, table: string, rows: readonly Record<string, unknown>[], conflict: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await run(db, qb(table).insert(rows.slice(i, i + ROWS_PER_INSERT)).onConflict(conflict).ignore());
  }
}

export async function run<R = Record<string, unknown>>(db: SqlExecutor, query: Knex.QueryBuilder | Knex.Raw): Promise<SqlResult<R>> {
  const { sql, bindings } = query.toSQL().toNative();
  return db.query<R>(sql, bindings as unknown[]);
}
