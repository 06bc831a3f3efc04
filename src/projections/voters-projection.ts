/**
 * The `voters` read model: one row per registered voter, for the admin's paged list. Registrations
 * come in bulk (100k-row CSV imports), so a batch becomes a few multi-row INSERTs rather than one
 * statement per voter. ON CONFLICT DO NOTHING keeps a replay harmless even outside the runner.
 * The e-mail is PII: it lives here and in the event, never in logs or notifications.
 */
import type { VoterRegistered } from '../domain/election-events.ts';
import { ELECTION_STREAM_PREFIX } from '../domain/election-events.ts';
import type { Projection } from './projection.ts';
import { qb, run } from './query-builder.ts';

export const VOTERS_TABLE = 'voters';
// 4 parameters per row: 1,000 rows stay far below Postgres' 65,535-parameter limit.
const ROWS_PER_INSERT = 1_000;

export function votersProjection(): Projection {
  return {
    name: 'voters',
    filter: { streamPrefixes: [ELECTION_STREAM_PREFIX], eventTypes: ['VoterRegistered'] },

    async setup(db) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${VOTERS_TABLE} (
        voter_id text PRIMARY KEY,
        election_id text NOT NULL,
        email text NOT NULL,
        registered_at timestamptz NOT NULL
      )`);
      await db.query(`CREATE INDEX IF NOT EXISTS voters_election_registered_idx ON ${VOTERS_TABLE} (election_id, registered_at, voter_id)`);
    },

    async reset(tx) {
      await tx.query(`DELETE FROM ${VOTERS_TABLE}`);
    },

    async apply(tx, events) {
      const rows = events
        .filter((e) => e.type === 'VoterRegistered')
        .map((e) => {
          const data = e.data as VoterRegistered['data'];
          return { voter_id: data.voterId, election_id: data.electionId, email: data.email, registered_at: data.registeredAt };
        });
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await run(tx, qb(VOTERS_TABLE).insert(rows.slice(i, i + ROWS_PER_INSERT)).onConflict('voter_id').ignore());
      }
      return [];
    },
  };
}
