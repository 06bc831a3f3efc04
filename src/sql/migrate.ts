/**
 * Brings a database's schema to this release's version with knex's migrator, and reports the
 * version a database is at. Several processes may start at once: the whole run holds a
 * session-level advisory lock, so one migrates and the others find nothing left to do.
 */
import type { Knex } from 'knex';
import type { SqlClient, SqlExecutor } from './client.ts';
import { knexOverSession } from './knex-over-sql.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** Held for the whole migration run; shares the advisory-lock namespace (docs/eventstore.md lists the keys). */
export const MIGRATION_LOCK_KEY = 7_302_846_100;
/** knex's bookkeeping table: one row per applied migration (its lock table is `knex_migrations_lock`). */
export const MIGRATIONS_TABLE = 'knex_migrations';

export type SchemaErrorCode = 'SCHEMA_TOO_NEW';

export class SchemaError extends Error {
  constructor(
    readonly code: SchemaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SchemaError';
  }
}

export interface SchemaStatus {
  /** The highest migration applied (0: none, an empty or pre-migrations database). */
  version: number;
  /** The highest migration this release knows. */
  latest: number;
  applied: string[];
  pending: string[];
}

export interface MigrationRun extends SchemaStatus {
  /** The migrations this run applied (empty when the database was already at `latest`). */
  ran: string[];
}

const versionOf = (name: string): number => Number(name.slice(0, 4));

const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m),
};

async function appliedNames(db: SqlExecutor): Promise<string[]> {
  const { rows: exists } = await db.query<{ t: string | null }>(`select to_regclass($1)::text as t`, [MIGRATIONS_TABLE]);
  if (!exists[0]?.t) return [];
  const { rows } = await db.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE} order by id`);
  return rows.map((r) => r.name);
}

function statusOf(applied: string[]): SchemaStatus {
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const unknown = applied.filter((n) => !known.has(n));
  const version = Math.max(0, ...applied.map(versionOf));
  const latest = MIGRATIONS.length === 0 ? 0 : versionOf(MIGRATIONS[MIGRATIONS.length - 1]!.name);
  if (unknown.length > 0) {
    throw new SchemaError(
      'SCHEMA_TOO_NEW',
      `the database is at schema version ${version} (${unknown.join(', ')} unknown here), newer than this release's ${latest}: ` +
        'run the release that migrated it, or restore the backup taken before that upgrade',
    );
  }
  const done = new Set(applied);
  return { version, latest, applied, pending: MIGRATIONS.map((m) => m.name).filter((n) => !done.has(n)) };
}

/** The schema version of the database, without changing it. Throws SCHEMA_TOO_NEW like `migrateToLatest`. */
export async function schemaStatus(sql: SqlClient): Promise<SchemaStatus> {
  return statusOf(await appliedNames(sql));
}

async function migrateLocked(conn: SqlExecutor): Promise<MigrationRun> {
  const before = statusOf(await appliedNames(conn));
  if (before.pending.length === 0) return { ...before, ran: [] };
  const knex = knexOverSession(conn);
  try {
    await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE });
  } finally {
    await knex.destroy();
  }
  return { ...statusOf([...before.applied, ...before.pending]), ran: before.pending };
}

/**
 * Applies every pending migration in one transaction. Refuses (SCHEMA_TOO_NEW) a database that has
 * migrations this release does not know: an operator rolled the binary back past an upgrade.
 */
export async function migrateToLatest(sql: SqlClient): Promise<MigrationRun> {
  return sql.session(async (conn) => {
    // Session-level, not knex's lock row: knex refuses instead of waiting, and creates its own tables before locking.
    await conn.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    const unlock = () => conn.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    let run: MigrationRun;
    try {
      run = await migrateLocked(conn);
    } catch (err) {
      // The session closes its connection after a failure, which frees the lock if this cannot.
      await unlock().catch(() => {});
      throw err;
    }
    await unlock();
    return run;
  });
}
