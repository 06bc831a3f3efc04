/** The SQL database of the running mode, opened the same way by the server and by `evote db`. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createPgClient, createPgliteClient, type SqlClient } from '../sql/client.ts';
import type { Config } from './config.ts';

/** PostgreSQL at DATABASE_URL, else embedded PGlite under `<data dir>/pglite` (created when absent). */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<SqlClient> {
  if (config.databaseUrl) return createPgClient(config.databaseUrl);
  await mkdir(config.dataDir, { recursive: true });
  return createPgliteClient(path.join(config.dataDir, 'pglite'));
}
