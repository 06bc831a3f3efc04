/**
 * The shared tally's range claims on real PostgreSQL (and PGlite): the first plan wins, the lowest
 * free range is claimed, a lease blocks others until it lapses and is then taken over, renewal keeps
 * it, done ranges are never claimed again, and many claimers at once never take one range twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createSqlRangeClaims } from '../../src/tally/sql-range-claims.ts';
import { rangesOf, type TallyRangeClaims } from '../../src/tally/range-claims.ts';
import { createScratchPgDatabase, createScratchPglite } from '../support/scratch-db.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rangesOf', () => {
  it('splits the ballots into consecutive ranges, the last one shorter', () => {
    expect(rangesOf({ ballots: 7, rangeSize: 3 })).toEqual([
      { index: 0, first: 0, count: 3 },
      { index: 1, first: 3, count: 3 },
      { index: 2, first: 6, count: 1 },
    ]);
    expect(rangesOf({ ballots: 0, rangeSize: 3 })).toEqual([]);
  });
});

function claimSuite(name: string, open: () => Promise<{ sql: SqlClient; close: () => Promise<void> }>) {
  describe(`range claims on ${name}`, () => {
    let sql: SqlClient;
    let close: () => Promise<void>;
    let claims: TallyRangeClaims;
    beforeAll(async () => {
      ({ sql, close } = await open());
      claims = createSqlRangeClaims(sql);
    }, 120_000); // PGlite's start and migration are slow on a loaded machine
    afterAll(async () => close());

    const election = async (ballots: number, rangeSize: number) => {
      const id = `e-${randomUUID()}`;
      await claims.plan(id, { ballots, rangeSize });
      return id;
    };

    it('keeps the first plan: a later planner gets the stored range size', async () => {
      const id = `e-${randomUUID()}`;
      expect(await claims.plan(id, { ballots: 10, rangeSize: 4 })).toEqual({ ballots: 10, rangeSize: 4 });
      expect(await claims.plan(id, { ballots: 10, rangeSize: 7 })).toEqual({ ballots: 10, rangeSize: 4 });
      const rows = await sql.query<{ range_index: number; first_ballot: number; ballot_count: number }>(
        'select range_index, first_ballot, ballot_count from evote_tally_ranges where election_id = $1 order by range_index',
        [id],
      );
      expect(rows.rows).toEqual([
        { range_index: 0, first_ballot: 0, ballot_count: 4 },
        { range_index: 1, first_ballot: 4, ballot_count: 4 },
        { range_index: 2, first_ballot: 8, ballot_count: 2 },
      ]);
    });

    it('claims the lowest free range; a held lease blocks others, a lapsed one is taken over', async () => {
      const id = await election(30, 10);
      expect(await claims.claim(id, 'a', 300)).toEqual({ index: 0, first: 0, count: 10, retaken: false });
      expect(await claims.claim(id, 'b', 60_000)).toEqual({ index: 1, first: 10, count: 10, retaken: false });
      // Below range 1 only range 0 qualifies, and a's lease on it still runs.
      expect(await claims.claim(id, 'b', 60_000, 1)).toBeUndefined();
      await sleep(450);
      expect(await claims.claim(id, 'b', 60_000, 1)).toEqual({ index: 0, first: 0, count: 10, retaken: true });
      // a learns at its next renewal that range 0 is no longer its own.
      expect(await claims.renew(id, 'a', 300)).toEqual([]);
      expect((await claims.renew(id, 'b', 60_000)).sort()).toEqual([0, 1]);
      const taken = await sql.query<{ claims: number; owner: string }>('select claims, owner from evote_tally_ranges where election_id = $1 and range_index = 0', [id]);
      expect(taken.rows[0]).toEqual({ claims: 2, owner: 'b' });
    });

    it('a renewed lease is not taken over', async () => {
      const id = await election(10, 10);
      await claims.claim(id, 'a', 400);
      for (let i = 0; i < 4; i++) {
        await sleep(150);
        expect(await claims.renew(id, 'a', 400)).toEqual([0]);
      }
      expect(await claims.claim(id, 'b', 400)).toBeUndefined();
    });

    it('never claims a done range again (its lease is gone); a released one at once', async () => {
      const id = await election(20, 10);
      await claims.claim(id, 'a', 60_000);
      await claims.claim(id, 'a', 60_000);
      await claims.complete(id, 0, 'a');
      await claims.release(id, 'a');
      expect(await claims.claim(id, 'b', 60_000)).toEqual({ index: 1, first: 10, count: 10, retaken: true });
      expect(await claims.claim(id, 'b', 60_000)).toBeUndefined();
      await claims.complete(id, 1);
      const rows = await sql.query<{ done_by: string | null }>('select done_by from evote_tally_ranges where election_id = $1 order by range_index', [id]);
      // done_by names the owner that appended the votes, not one that found them counted.
      expect(rows.rows.map((r) => r.done_by)).toEqual(['a', null]);
    });

    it('many claimers at once never take the same range twice, and take them all', async () => {
      const id = await election(400, 5);
      const owners = Array.from({ length: 12 }, (_, i) => `owner-${i}`);
      const got = new Map<number, string>();
      await Promise.all(
        owners.map(async (owner) => {
          for (;;) {
            const range = await claims.claim(id, owner, 60_000);
            if (!range) return;
            expect(got.has(range.index), `range ${range.index} claimed twice`).toBe(false);
            got.set(range.index, owner);
          }
        }),
      );
      expect([...got.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i));
      if (sql.kind === 'postgres') expect(new Set(got.values()).size).toBeGreaterThan(1);
    });
  });
}

claimSuite('PostgreSQL', async () => {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url, { max: 12 });
  return {
    sql,
    async close() {
      await sql.close();
      await db.drop();
    },
  };
});

claimSuite('PGlite', async () => {
  const sql = await createScratchPglite();
  return { sql, close: () => sql.close() };
});
