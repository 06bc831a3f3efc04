/**
 * Schema version 6: the ballot form, counting method and seats an election was created with
 * (docs/methods.md, "Ballot forms"), so election.get serves them and clients cast, and compute the
 * fingerprint's version 3, from the row. Null for single-choice plurality, and for rows projected before.
 */
import { sqlMigration, type Migration } from './migration.ts';

const ELECTION_BALLOT = [`alter table elections add column if not exists ballot jsonb`];

export const electionBallot: Migration = sqlMigration('0006_election_ballot', ELECTION_BALLOT);
