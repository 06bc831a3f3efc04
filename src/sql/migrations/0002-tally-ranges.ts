/**
 * Schema version 2: the shared tally's plan and range claims (docs/tally.md, "A tally on several
 * processes"). Released migrations never change (docs/migrations.md).
 */
import { sqlMigration, type Migration } from './migration.ts';

const TALLY_RANGES = [
  // One row per election: the first process to plan fixes the range size for every later one.
  `create table if not exists evote_tally_plans (
     election_id text        primary key,
     ballots     integer     not null,
     range_size  integer     not null,
     planned_at  timestamptz not null default clock_timestamp()
   )`,
  // One row per range of the covered ballots in log order; a lease in the database's own clock.
  `create table if not exists evote_tally_ranges (
     election_id      text        not null,
     range_index      integer     not null,
     first_ballot     integer     not null,
     ballot_count     integer     not null,
     owner            text        null,
     lease_expires_at timestamptz null,
     claims           integer     not null default 0,
     done_at          timestamptz null,
     done_by          text        null,
     primary key (election_id, range_index)
   )`,
];

export const tallyRanges: Migration = sqlMigration('0002_tally_ranges', TALLY_RANGES);
