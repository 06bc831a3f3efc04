/**
 * Schema version 4: what the election fingerprint's version 2 covers besides the keys (docs/audit.md):
 * the witnesses named at creation and the public part of TrusteesAppointed, so election.get serves
 * them and the booth and clients compute the fingerprint themselves. Existing rows stay v1 until a
 * projection rebuild folds their TrusteesAppointed again.
 */
import type { Knex } from 'knex';
import { runStatements, type Migration } from './migration.ts';

const ELECTION_PINS = [`alter table elections add column if not exists witnesses jsonb`, `alter table elections add column if not exists trustees jsonb`];

export const electionPins: Migration = {
  name: '0004_election_pins',
  async up(knex: Knex) {
    await runStatements(knex, ELECTION_PINS);
  },
  async down() {
    throw new Error('0004_election_pins cannot be undone: restore a backup taken before the upgrade');
  },
};
