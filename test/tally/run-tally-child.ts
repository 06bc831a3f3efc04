/**
 * A tally run in its own process, for the crash test (tally-crash.test.ts kills it with SIGKILL
 * half way). Environment: DATABASE_URL, MASTER_KEY (base64), ELECTION_ID, and optionally WORKERS,
 * APPEND_BATCH, CHUNK. Prints one JSON line with the outcome.
 */
import { createPgClient } from '../../src/sql/client.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { runTally } from '../../src/tally/tally-run.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const int = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

const sql = createPgClient(env('DATABASE_URL'));
const store = await createSqlEventStore(sql);
const keyStore = await createSqlKeyStore(sql, new Uint8Array(Buffer.from(env('MASTER_KEY'), 'base64')));
const r = await runTally(
  { store, keyStore, now: () => new Date() },
  { electionId: env('ELECTION_ID'), workers: int('WORKERS'), appendBatch: int('APPEND_BATCH'), chunk: int('CHUNK') },
);
process.stdout.write(JSON.stringify(r.ok ? { ok: true, ballots: r.value.ballots, counts: r.value.counts } : { ok: false, code: r.error.code }) + '\n');
await store.close();
await sql.close();
process.exitCode = r.ok ? 0 : 1;
