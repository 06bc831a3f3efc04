/**
 * Schema version 5: batched proofs (docs/trustees.md "Where the partials live"). A trustee's batch
 * (its ordered ballots, their values x and its one proof) is stored once; each stored partial names
 * the batch it came in, whose proof the tally checks when a ballot does not open.
 */
import { sqlMigration, type Migration } from './migration.ts';

const TRUSTEE_BATCHES = [
  `create table if not exists evote_trustee_batches (
     election_id   text        not null,
     trustee_index integer     not null,
     batch_id      text        not null,
     ballot_hashes text[]      not null,
     partials      text[]      not null,
     proof         text        not null,
     submitted_at  timestamptz not null default clock_timestamp(),
     primary key (election_id, trustee_index, batch_id)
   )`,
  // Null only for a partial stored before batches (per-ballot proofs: no deployed election has any).
  `alter table evote_trustee_partials add column if not exists batch_id text`,
];

export const trusteeBatches: Migration = sqlMigration('0005_trustee_batches', TRUSTEE_BATCHES);
