/**
 * Receipts through the read cache on PostgreSQL: a miss loads the bucket of hashes sharing a prefix
 * sized by the expected voters, the bucket answers exactly as the one-row query does (earliest copy
 * of a repeated hash, unknown hashes and other elections not found), and the other voters of the
 * bucket are then served without a query.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { migrateToLatest } from '../../src/sql/migrate.ts';
import { createBallotQueries } from '../../src/projections/ballot-queries.ts';
import { cachedBallotQueries, receiptPrefixLength } from '../../src/projections/cached-queries.ts';
import { ReadCache } from '../../src/projections/read-cache.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';

let db: { url: string; drop: () => Promise<void> };
let sql: SqlClient;
const hashes = Array.from({ length: 600 }, (_, i) => createHash('sha256').update(`ballot ${i}`).digest('hex'));

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url, { max: 4 });
  await migrateToLatest(sql);
  const rows = hashes.map((h, i) => `(${i + 1}, '${h}', 'e1', 'c', now())`);
  // A repeated ciphertext (same hash later in the log), and the same hash in another election.
  rows.push(`(1001, '${hashes[7]}', 'e1', 'c', now())`, `(1002, '${hashes[8]}', 'e2', 'c', now())`);
  await sql.query(`insert into votes (position, ballot_hash, election_id, ciphertext, submitted_at) values ${rows.join(',')}`);
}, 60_000);

afterAll(async () => {
  await sql?.close();
  await db?.drop();
});

describe('receipts from the read cache', () => {
  it('sizes buckets by the expected voters', () => {
    expect(receiptPrefixLength(10)).toBe(0);
    expect(receiptPrefixLength(2_000)).toBe(1);
    expect(receiptPrefixLength(600_000)).toBe(3);
    expect(receiptPrefixLength(10_000_000)).toBe(4);
  });

  it('answers as the database does, one bucket query for many voters', async () => {
    const direct = createBallotQueries(sql);
    let bucketQueries = 0;
    const counting = { ...direct, receiptsWithPrefix: (id: string, p: string) => (bucketQueries++, direct.receiptsWithPrefix(id, p)) };
    // 600 expected of 100,000: two hex digits, 256 buckets of about 2 each here.
    const cached = cachedBallotQueries(counting, new ReadCache({ projections: ['votes', 'tally'] }), async () => 100_000);
    for (const h of hashes.slice(0, 50)) expect(await cached.receipt('e1', h)).toEqual(await direct.receipt('e1', h));
    expect((await cached.receipt('e1', hashes[7]!))!.position).toBe(8);
    expect(await cached.receipt('e2', hashes[9]!)).toBeUndefined();
    expect(await cached.receipt('e1', 'f'.repeat(64))).toBeUndefined();
    expect(bucketQueries).toBeGreaterThan(0);

    // One bucket (the whole election at 10 expected voters): one query for all 600 receipts.
    bucketQueries = 0;
    const whole = cachedBallotQueries(counting, new ReadCache({ projections: ['votes', 'tally'] }), async () => 10);
    for (const h of hashes) expect((await whole.receipt('e1', h))?.ballotHash).toBe(h);
    expect(bucketQueries).toBe(1);
  });
});
