/**
 * `evote tally <electionId> --direct`: count on this machine, joining the shared tally through the
 * database with the server's own settings and secrets (docs/tally.md, "A tally on several processes").
 */
import { configFromEnv } from '../app/config.ts';
import { openDatabase } from '../app/database.ts';
import { createSqlEventStore } from '../eventstore/sql-event-store.ts';
import { createEventStoreDbEventStore } from '../eventstore/eventstoredb-event-store.ts';
import { createSqlKeyStore } from '../keystore/sql-key-store.ts';
import { KeyStoreError } from '../keystore/port.ts';
import { masterKeyFromEnv } from '../keystore/master-key.ts';
import { schemaStatus } from '../sql/migrate.ts';
import { createSqlRangeClaims } from '../tally/sql-range-claims.ts';
import { createTrusteePartialsStore } from '../tally/trustee-partials-store.ts';
import { runTally, type TallyOutcome, type TallyProgress } from '../tally/tally-run.ts';
import { dbError } from './db-commands.ts';
import { CliError, EXIT } from './exit-codes.ts';

export interface DirectTallyInput {
  electionId: string;
  workers?: number;
  rangeSize?: number;
  leaseMs?: number;
}

export async function tallyDirect(dataDir: string, input: DirectTallyInput, onProgress: (p: TallyProgress) => void): Promise<TallyOutcome> {
  const config = configFromEnv(process.env);
  const sql = await openDatabase({ databaseUrl: config.databaseUrl, dataDir });
  try {
    // A tally process never migrates a live database as a side effect: the servers (or `evote db migrate`) do.
    const schema = await schemaStatus(sql);
    if (schema.pending.length > 0) {
      throw new CliError(EXIT.REFUSED, `the database is at schema version ${schema.version} of ${schema.latest}: run \`evote db migrate\` or start a server of this release first`, 'SCHEMA_OUTDATED');
    }
    const masterKey = await masterKeyFromEnv(process.env, { dataDir, embedded: !config.databaseUrl });
    if (masterKey.warning) process.stderr.write(`evote: ${masterKey.warning}\n`);
    const keyStore = await createSqlKeyStore(sql, masterKey.key);
    const store = config.eventStoreUrl ? createEventStoreDbEventStore(config.eventStoreUrl) : await createSqlEventStore(sql);
    try {
      const r = await runTally({ store, keyStore, claims: createSqlRangeClaims(sql), partials: createTrusteePartialsStore(sql), now: () => new Date() }, { ...input, onProgress });
      if (!r.ok) throw new CliError(EXIT.REFUSED, r.error.message, r.error.code);
      return r.value;
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof KeyStoreError) throw new CliError(EXIT.REFUSED, err.message, err.code);
    throw dbError(err);
  } finally {
    await sql.close().catch(() => {});
  }
}
