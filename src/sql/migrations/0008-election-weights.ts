/**
 * Schema version 8: a weighted election's classes (weight and authority key, docs/methods.md
 * "Weighted voters") on its row, and each voter's weight, so blind signing picks the voter's class key.
 * Null for unweighted elections and their voters, and for rows projected before.
 */
import { sqlMigration, type Migration } from './migration.ts';

const ELECTION_WEIGHTS = [`alter table elections add column if not exists weight_classes jsonb`, `alter table voters add column if not exists weight integer`];

export const electionWeights: Migration = sqlMigration('0008_election_weights', ELECTION_WEIGHTS);
