/**
 * The `votes` read model: one row per BallotCast, the public bulletin board. It holds only what the
 * event holds (ballot hash, ciphertext, log position) plus the store's recorded time (the pool's
 * release, never the cast's arrival).
 *
 * The key is the log position, not the ballot hash: a ciphertext copied from the board and cast
 * again under another N1 has the same hash, and the board must show the log as it is (the tally
 * leaves a byte-identical copy out as a repeat). Re-applying a batch is harmless (ON CONFLICT DO NOTHING).
 */
import { BALLOT_STREAM_PREFIX, type BallotCast } from '../domain/credential-events.ts';
import type { Projection } from './projection.ts';
import { insertIgnoring } from './query-builder.ts';

export const VOTES_TABLE = 'votes';

export function votesProjection(): Projection {
  return {
    name: 'votes',
    filter: { streamPrefixes: [BALLOT_STREAM_PREFIX], eventTypes: ['BallotCast'] },

    async reset(tx) {
      await tx.query(`DELETE FROM ${VOTES_TABLE}`);
    },

    async apply(tx, events) {
      const rows = events.map((recorded) => {
        const d = recorded.data as BallotCast['data'];
        return { position: recorded.position, ballot_hash: d.ballotHash, election_id: d.electionId, ciphertext: d.ciphertext, submitted_at: recorded.recordedAt };
      });
      await insertIgnoring(tx, VOTES_TABLE, rows, ['position']);
      return [];
    },
  };
}
