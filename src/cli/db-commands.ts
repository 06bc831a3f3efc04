/**
 * `evote db …`: the database schema, reached directly (not through a server) with the server's own
 * settings: DATABASE_URL, else the embedded PGlite under --data-dir / EVOTE_DATA_DIR.
 */
import type { Command } from 'commander';
import { openDatabase } from '../app/database.ts';
import type { SqlClient } from '../sql/client.ts';
import { migrateToLatest, schemaStatus, SchemaError, type SchemaStatus } from '../sql/migrate.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { printResult } from './output.ts';
import type { GlobalOptions } from './session.ts';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** A schema refusal or an unreachable database as a CliError (never with the URL); anything else unchanged. */
export function dbError(err: unknown): unknown {
  if (err instanceof SchemaError) return new CliError(EXIT.REFUSED, err.message, err.code);
  const code = (err as { code?: unknown } | null)?.code;
  // The message names host and port at most; the URL (and any password in it) is never printed.
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return new CliError(EXIT.UNREACHABLE, `the database cannot be reached (${code})`, 'DATABASE_UNREACHABLE');
  return err;
}

async function withDatabase<T>(g: GlobalOptions, fn: (sql: SqlClient) => Promise<T>): Promise<T> {
  const sql = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: g.dataDir });
  try {
    return await fn(sql);
  } catch (err) {
    throw dbError(err);
  } finally {
    await sql.close().catch(() => {});
  }
}

const describe = (s: SchemaStatus): string =>
  `schema version ${s.version} of ${s.latest}` + (s.pending.length > 0 ? `; pending: ${s.pending.join(', ')}` : '; up to date');

export function registerDbCommands(program: Command, globals: () => GlobalOptions): void {
  const db = program.command('db').description('the database schema (direct access: DATABASE_URL, or the embedded data directory)');
  db.command('migrate')
    .description('apply the pending schema migrations (the server also does at start-up) and print the version')
    .action(async () => {
      const g = globals();
      const run = await withDatabase(g, migrateToLatest);
      printResult(g, run, (r) => (r.ran.length > 0 ? `applied ${r.ran.join(', ')}; ` : 'nothing to apply; ') + describe(r));
    });
  db.command('version')
    .description('print the schema version of the database without changing it')
    .action(async () => {
      const g = globals();
      const status = await withDatabase(g, schemaStatus);
      printResult(g, status, describe);
    });
}
