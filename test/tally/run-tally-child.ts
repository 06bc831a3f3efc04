/**
 * A tally run in its own process, for the crash and shared-tally tests (which kill it with SIGKILL
 * half way). Environment: DATABASE_URL, MASTER_KEY (base64), ELECTION_ID, and optionally WORKERS,
 * APPEND_BATCH, CHUNK, RANGE_SIZE, LEASE_MS, POLL_MS. With WAIT_FOR_GO, prints `ready` once connected
 * and starts only when a line arrives on stdin (two children start together). Prints one JSON line with the outcome.
 */
import { once } from 'node:events';
import { createPgClient } from '../../src/sql/client.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { createSqlRangeClaims } from '../../src/tally/sql-range-claims.ts';
import { runTally } from '../../src/tally/tally-run.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const int = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

const sql = createPgClient(env('DATABASE_URL'), { max: 4 }); // a few at once: claims, renewals, reads and appends
const store = await createSqlEventStore(sql);
const keyStore = await createSqlKeyStore(sql, new Uint8Array(Buffer.from(env('MASTER_KEY'), 'base64')));
if (process.env.WAIT_FOR_GO) {
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.destroy();
}
const r = await runTally(
  { store, keyStore, claims: createSqlRangeClaims(sql), now: () => new Date() },
  {
    electionId: env('ELECTION_ID'),
    workers: int('WORKERS'),
    appendBatch: int('APPEND_BATCH'),
    chunk: int('CHUNK'),
    rangeSize: int('RANGE_SIZE'),
    leaseMs: int('LEASE_MS'),
    pollMs: int('POLL_MS'),
  },
);
process.stdout.write(JSON.stringify(r.ok ? { ok: true, ballots: r.value.ballots, counts: r.value.counts } : { ok: false, code: r.error.code }) + '\n');
await store.close();
await sql.close();
process.exitCode = r.ok ? 0 : 1;
