/**
 * Every schema migration, in order. A static list rather than a directory knex scans, so the
 * compiled and the bundled code carry their migrations with them. Append only (docs/migrations.md).
 */
import type { Migration } from './migration.ts';
import { baseline } from './0001-baseline.ts';
import { tallyRanges } from './0002-tally-ranges.ts';
import { trusteePartials } from './0003-trustee-partials.ts';
import { electionPins } from './0004-election-pins.ts';
import { trusteeBatches } from './0005-trustee-batches.ts';
import { electionBallot } from './0006-election-ballot.ts';
import { votesFirstCopy } from './0007-votes-first-copy.ts';
import { electionWeights } from './0008-election-weights.ts';
import { tallyOutcome } from './0009-tally-outcome.ts';

export const MIGRATIONS: readonly Migration[] = [baseline, tallyRanges, trusteePartials, electionPins, trusteeBatches, electionBallot, votesFirstCopy, electionWeights, tallyOutcome];

export type { Migration } from './migration.ts';
