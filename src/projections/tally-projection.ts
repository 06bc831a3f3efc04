/**
 * The tally's read models (counted_votes, results, tally_status with a method-counted election's
 * outcome) and its coalesced live transitions (docs/tally.md "Read models and queries"). Nothing secret: r stays in the log.
 */
import type { SqlExecutor } from '../sql/client.ts';
import type { ElectionTransition, OutcomeRound } from './read-models.ts';
import { electionChannel } from '../pubsub/port.ts';
import type { TallyEvent, VoteCounted } from '../domain/tally-events.ts';
import { TALLY_STREAM_PREFIX } from '../domain/streams.ts';
import type { Notification, Projection } from './projection.ts';
import { insertIgnoring } from './query-builder.ts';

export const COUNTED_VOTES_TABLE = 'counted_votes';
export const RESULTS_TABLE = 'results';
export const TALLY_STATUS_TABLE = 'tally_status';

interface Pending {
  position: number;
  message: ElectionTransition;
}

export function tallyProjection(): Projection {
  return {
    name: 'tally',
    filter: { streamPrefixes: [TALLY_STREAM_PREFIX], eventTypes: ['TallyStarted', 'VoteCounted', 'RoundCounted', 'TallyPublished'] },

    async reset(tx) {
      await tx.query(`DELETE FROM ${COUNTED_VOTES_TABLE}`);
      await tx.query(`DELETE FROM ${RESULTS_TABLE}`);
      await tx.query(`DELETE FROM ${TALLY_STATUS_TABLE}`);
    },

    async apply(tx, events) {
      const out: Pending[] = [];
      let votes: { data: VoteCounted['data']; position: number }[] = [];
      const progressed = new Map<string, number>();

      const writeVotes = async () => {
        await insertVotes(tx, votes);
        const perElection = new Map<string, { count: number; position: number }>();
        for (const v of votes) {
          const p = perElection.get(v.data.electionId) ?? { count: 0, position: 0 };
          perElection.set(v.data.electionId, { count: p.count + 1, position: v.position });
        }
        votes = [];
        for (const [electionId, { count, position }] of perElection) {
          await tx.query(`UPDATE ${TALLY_STATUS_TABLE} SET counted = counted + $2, position = GREATEST(position, $3) WHERE election_id = $1`, [
            electionId,
            count,
            position,
          ]);
          progressed.set(electionId, position);
        }
      };

      const progressMessage = async (electionId: string, position: number) => {
        const { rows } = await tx.query<{ ballots: number; counted: number }>(`SELECT ballots, counted FROM ${TALLY_STATUS_TABLE} WHERE election_id = $1`, [
          electionId,
        ]);
        const row = rows[0];
        if (row) {
          out.push({
            position,
            message: { electionId, transition: 'tallyProgress', status: 'VOTE_ENDED', position, done: row.counted, total: row.ballots },
          });
        }
      };

      for (const recorded of events) {
        const event = { type: recorded.type, data: recorded.data } as TallyEvent;
        const { electionId } = event.data;
        if (event.type === 'VoteCounted') {
          votes.push({ data: event.data, position: recorded.position });
          continue;
        }
        await writeVotes(); // keep the fold in log order
        if (event.type === 'TallyStarted') {
          await tx.query(
            `INSERT INTO ${TALLY_STATUS_TABLE} (election_id, status, ballots, counted, started_at, position)
             VALUES ($1, 'STARTED', $2, 0, $3, $4) ON CONFLICT (election_id) DO NOTHING`,
            [electionId, event.data.ballots, event.data.startedAt, recorded.position],
          );
          progressed.set(electionId, recorded.position);
        } else if (event.type === 'RoundCounted') {
          const { round, tallies, elected, eliminated, tieBreak } = event.data;
          const kept: OutcomeRound = { round, tallies, elected, eliminated, ...(tieBreak !== undefined && { tieBreak }) };
          // Rounds may end a batch before their TallyPublished: each one is kept on the row at once.
          // The position guard skips a round already folded (positions only grow), so a replay appends nothing twice.
          await tx.query(
            `UPDATE ${TALLY_STATUS_TABLE}
                SET outcome = jsonb_build_object('rounds', COALESCE(outcome->'rounds', '[]'::jsonb) || jsonb_build_array($2::jsonb)), position = $3
              WHERE election_id = $1 AND position < $3`,
            [electionId, JSON.stringify(kept), recorded.position],
          );
        } else if (event.type === 'TallyPublished') {
          const d = event.data;
          for (const [choice, count] of Object.entries(d.counts)) {
            await tx.query(
              `INSERT INTO ${RESULTS_TABLE} (election_id, choice, votes) VALUES ($1, $2, $3)
               ON CONFLICT (election_id, choice) DO UPDATE SET votes = EXCLUDED.votes`,
              [electionId, choice, count],
            );
          }
          const counted = d.method === undefined ? null : { method: d.method, unit: d.unit ?? '', winners: d.winners ?? [] };
          await tx.query(
            `UPDATE ${TALLY_STATUS_TABLE} SET status = 'PUBLISHED', statuses = $2, published_at = $3, position = GREATEST(position, $4),
               outcome = CASE WHEN $5::jsonb IS NULL THEN NULL ELSE $5::jsonb || jsonb_build_object('rounds', COALESCE(outcome->'rounds', '[]'::jsonb)) END
             WHERE election_id = $1`,
            [electionId, JSON.stringify(d.statuses), d.publishedAt, recorded.position, counted && JSON.stringify(counted)],
          );
          // Progress before the result, so the last progress message says "all counted".
          const last = progressed.get(electionId);
          if (last !== undefined) await progressMessage(electionId, last);
          progressed.delete(electionId);
          out.push({
            position: recorded.position,
            message: {
              electionId,
              transition: 'tallied',
              status: 'VOTE_ENDED',
              position: recorded.position,
              counts: d.counts,
              statuses: d.statuses,
              ballots: d.ballots,
              ...counted,
            },
          });
        }
      }
      await writeVotes();
      for (const [electionId, position] of progressed) await progressMessage(electionId, position);
      out.sort((a, b) => a.position - b.position);
      return out.map((p): Notification => ({ channel: electionChannel(p.message.electionId), message: p.message }));
    },
  };
}

async function insertVotes(tx: SqlExecutor, votes: { data: VoteCounted['data']; position: number }[]): Promise<void> {
  const rows = votes.map(({ data, position }) => ({
    ballot_hash: data.ballotHash,
    election_id: data.electionId,
    n2_commitment: data.n2Commitment,
    choice: data.choice,
    status: data.status,
    position,
  }));
  await insertIgnoring(tx, COUNTED_VOTES_TABLE, rows, ['election_id', 'ballot_hash']);
}
