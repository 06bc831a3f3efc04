/**
 * The `votes` read model, the public bulletin board, keyed by log position since a copied
 * ciphertext has the same hash (docs/ballots.md "Read models").
 */
import type { BallotCast } from '../domain/credential-events.ts';
import type { Projection } from './projection.ts';
import { insertIgnoring } from './query-builder.ts';
import { BALLOT_STREAM_PREFIX } from '../domain/streams.ts';

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
