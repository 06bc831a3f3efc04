/**
 * Scratch PostgreSQL databases for the tests and the benchmarks: each gets a fresh, empty database
 * on the local server (127.0.0.1:5432, or TEST_DATABASE_URL) and drops it afterwards.
 */
import pg from 'pg';

/** A fresh, empty database on the local test server, dropped by the returned cleanup. */
export async function createScratchPgDatabase(
  baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `evote_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
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
