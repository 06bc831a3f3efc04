/**
 * knex as a query builder only (no connection, no pool): queries are compiled to Postgres SQL with
 * $n placeholders and run through our SqlExecutor, so the same code serves pg and PGlite and runs
 * inside the runner's transactions.
 */
import knex from 'knex';
import type { Knex } from 'knex';
import type { SqlExecutor, SqlResult } from '../sql/client.ts';

export const qb: Knex = knex({ client: 'pg' });

const ROWS_PER_INSERT = 1_000;

/**
 * Rows of up to 1,000 per INSERT … ON CONFLICT (…) DO NOTHING: a projection re-applying a batch
 * changes nothing, and a statement stays far below Postgres's 65,535 bind parameters (the
 * read-model rows have at most 6 columns).
 */
export async function insertIgnoring(db: SqlExecutor, table: string, rows: readonly Record<string, unknown>[], conflict: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await run(db, qb(table).insert(rows.slice(i, i + ROWS_PER_INSERT)).onConflict(conflict).ignore());
  }
}

export async function run<R = Record<string, unknown>>(db: SqlExecutor, query: Knex.QueryBuilder | Knex.Raw): Promise<SqlResult<R>> {
  const { sql, bindings } = query.toSQL().toNative();
  return db.query<R>(sql, bindings as unknown[]);
}
