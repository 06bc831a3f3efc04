/**
 * Schema version 3: the trustees' partial decryptions of a trustee election (docs/trustees.md "The
 * ceremony and the tally"). A table, not events: 100,000 ballots are ~60 MB per trustee, and no
 * audit needs them (each revealed r is checked by r^e = c0); a faulty one is copied into the log.
 */
import { sqlMigration, type Migration } from './migration.ts';

const TRUSTEE_PARTIALS = [
  `create table if not exists evote_trustee_partials (
     election_id   text        not null,
     trustee_index integer     not null,
     ballot_hash   text        not null,
     partial       text        not null,
     submitted_at  timestamptz not null default clock_timestamp(),
     primary key (election_id, ballot_hash, trustee_index)
   )`,
];

export const trusteePartials: Migration = sqlMigration('0003_trustee_partials', TRUSTEE_PARTIALS);
