/**
 * Schema version 4: what the election fingerprint's version 2 covers besides the keys (docs/audit.md):
 * the witnesses named at creation and the public part of TrusteesAppointed, so election.get serves
 * them and the booth and clients compute the fingerprint themselves. Existing rows stay v1 until a
 * projection rebuild folds their TrusteesAppointed again.
 */
import { sqlMigration, type Migration } from './migration.ts';

const ELECTION_PINS = [`alter table elections add column if not exists witnesses jsonb`, `alter table elections add column if not exists trustees jsonb`];

export const electionPins: Migration = sqlMigration('0004_election_pins', ELECTION_PINS);
