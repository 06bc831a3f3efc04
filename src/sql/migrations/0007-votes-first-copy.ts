/**
 * Schema version 7: votes (election_id, ballot_hash, position), so "is there an earlier copy of this
 * ballot" is one index probe whatever the planner's statistics say. Without it, on a votes table
 * grown faster than autovacuum analyses it, each page of tally.trusteeBallots took ~27 s at 100,000
 * ballots (docs/trustees.md, "Serving the ballots").
 */
import { sqlMigration, type Migration } from './migration.ts';

const VOTES_FIRST_COPY = [`create index if not exists votes_election_ballot_position on votes (election_id, ballot_hash, position)`];

export const votesFirstCopy: Migration = sqlMigration('0007_votes_first_copy', VOTES_FIRST_COPY);
