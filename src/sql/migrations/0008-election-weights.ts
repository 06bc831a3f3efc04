/**
 * Schema version 8: a weighted election's classes (weight and authority key, docs/methods.md
 * "Weighted voters") on its row, and each voter's weight, so blind signing picks the voter's class key.
 * Null for unweighted elections and their voters, and for rows projected before.
 */
import type { Knex } from 'knex';
import { runStatements, type Migration } from './migration.ts';

const ELECTION_WEIGHTS = [`alter table elections add column if not exists weight_classes jsonb`, `alter table voters add column if not exists weight integer`];

export const electionWeights: Migration = {
  name: '0008_election_weights',
  async up(knex: Knex) {
    await runStatements(knex, ELECTION_WEIGHTS);
  },
  async down() {
    throw new Error('0008_election_weights cannot be undone: restore a backup taken before the upgrade');
  },
};
