/**
 * knex as a query builder only (no connection, no pool): queries are compiled to Postgres SQL with
 * $n placeholders and run through our SqlExecutor, so the same code serves pg and PGlite and runs
 * inside the runner's transactions.
 */
import knex from 'knex';
import type { Knex } from 'knex';
import type { SqlExecutor, SqlResult } from '../sql/client.ts';

export const qb: Knex = knex({ client: 'pg' });

export async function run<R = Record<string, unknown>>(db: SqlExecutor, query: Knex.QueryBuilder | Knex.Raw): Promise<SqlResult<R>> {
  const { sql, bindings } = query.toSQL().toNative();
  return db.query<R>(sql, bindings as unknown[]);
}
