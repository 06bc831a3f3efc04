/**
 * Range claims in PostgreSQL (or PGlite): `FOR UPDATE SKIP LOCKED` so concurrent claimers never
 * take the same free range, and leases in the database's clock so machines' clocks do not matter.
 */
import type { SqlClient } from '../sql/client.ts';
import { rangesOf, type TallyRange, type TallyRangeClaims } from './range-claims.ts';

interface RangeRow {
  range_index: number;
  first_ballot: number;
  ballot_count: number;
  claims: number;
}

const toRange = (r: RangeRow): TallyRange => ({ index: r.range_index, first: r.first_ballot, count: r.ballot_count, retaken: r.claims > 1 });

export function createSqlRangeClaims(sql: SqlClient): TallyRangeClaims {
  return {
    async plan(electionId, plan) {
      if (!Number.isInteger(plan.rangeSize) || plan.rangeSize < 1) throw new RangeError('rangeSize must be a positive integer');
      // Plan and ranges in one transaction: a reader sees both or neither; a second planner waits on the key, then inserts nothing.
      return sql.transaction(async (tx) => {
        const inserted = await tx.query(
          `insert into evote_tally_plans (election_id, ballots, range_size) values ($1, $2, $3) on conflict (election_id) do nothing`,
          [electionId, plan.ballots, plan.rangeSize],
        );
        if (inserted.rowCount === 1) {
          const ranges = rangesOf(plan);
          await tx.query(
            `insert into evote_tally_ranges (election_id, range_index, first_ballot, ballot_count)
             select $1, x.i, x.f, x.c from unnest($2::int[], $3::int[], $4::int[]) as x(i, f, c)`,
            [electionId, ranges.map((r) => r.index), ranges.map((r) => r.first), ranges.map((r) => r.count)],
          );
        }
        const stored = await tx.query<{ ballots: number; range_size: number }>(`select ballots, range_size from evote_tally_plans where election_id = $1`, [electionId]);
        const row = stored.rows[0] as { ballots: number; range_size: number };
        return { ballots: row.ballots, rangeSize: row.range_size };
      });
    },

    async claim(electionId, owner, leaseMs, below) {
      const claimed = await sql.query<RangeRow>(
        `with next as (
           select range_index from evote_tally_ranges
           where election_id = $1 and done_at is null
             and (owner is null or lease_expires_at < clock_timestamp())
             and ($4::int is null or range_index < $4::int)
           order by range_index limit 1
           for update skip locked)
         update evote_tally_ranges r
         set owner = $2, lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond', claims = r.claims + 1
         from next where r.election_id = $1 and r.range_index = next.range_index
         returning r.range_index, r.first_ballot, r.ballot_count, r.claims`,
        [electionId, owner, leaseMs, below ?? null],
      );
      const row = claimed.rows[0];
      return row ? toRange(row) : undefined;
    },

    async renew(electionId, owner, leaseMs) {
      const renewed = await sql.query<{ range_index: number }>(
        `update evote_tally_ranges set lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
         where election_id = $1 and owner = $2 and done_at is null returning range_index`,
        [electionId, owner, leaseMs],
      );
      return renewed.rows.map((r) => r.range_index);
    },

    async complete(electionId, index, by) {
      await sql.query(
        `update evote_tally_ranges set done_at = coalesce(done_at, clock_timestamp()), done_by = coalesce(done_by, $3), lease_expires_at = null
         where election_id = $1 and range_index = $2`,
        [electionId, index, by ?? null],
      );
    },

    async release(electionId, owner) {
      await sql.query(`update evote_tally_ranges set owner = null, lease_expires_at = null where election_id = $1 and owner = $2 and done_at is null`, [
        electionId,
        owner,
      ]);
    },
  };
}
