/**
 * Scratch databases for the tests and the benchmarks: a fresh PostgreSQL database on the local
 * server (127.0.0.1:5432, or TEST_DATABASE_URL), dropped afterwards, or an in-memory PGlite; both
 * migrated to the latest schema unless asked for empty.
 */
import pg from 'pg';
import { createPgClient, createPgliteClient, type SqlClient } from '../../src/sql/client.ts';
import { migrateToLatest } from '../../src/sql/migrate.ts';

export interface ScratchOptions {
  /** Run the schema migrations (default true); false leaves the database empty. */
  migrated?: boolean;
  baseUrl?: string;
}

/** A fresh database on the local test server, dropped by the returned cleanup. */
export async function createScratchPgDatabase(opts: ScratchOptions = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const baseUrl = opts.baseUrl ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `evote_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  if (opts.migrated ?? true) {
    const sql = createPgClient(url.toString(), { max: 1 });
    await migrateToLatest(sql).finally(() => sql.close());
  }
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** An in-memory PGlite at the latest schema (or empty with `{ migrated: false }`). */
export async function createScratchPglite(opts: Pick<ScratchOptions, 'migrated'> = {}): Promise<SqlClient> {
  const sql = await createPgliteClient();
  if (opts.migrated ?? true) await migrateToLatest(sql);
  return sql;
}
