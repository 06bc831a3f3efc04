/**
 * Schema version 9: the published outcome of an election counted by its method (docs/tally.md "Read
 * models and queries"): method, unit, winners and rounds, which TallyPublished's `counts: {}` lacks.
 * Null for single-choice plurality elections and for tallies projected before (a reset refills it).
 */
import { sqlMigration, type Migration } from './migration.ts';

export const tallyOutcome: Migration = sqlMigration('0009_tally_outcome', [`alter table tally_status add column if not exists outcome jsonb`]);
