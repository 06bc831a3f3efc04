/**
 * Tally results and a voter's receipt by N2 commitment, which only the receipt file (N2 and salt) computes.
 */
import type { SqlExecutor } from '../sql/client.ts';
import { isN2Commitment } from '../crypto/n2-commitment.ts';
import { VOTE_STATUSES, type VoteStatus } from '../domain/tally-events.ts';
import { COUNTED_VOTES_TABLE, RESULTS_TABLE, TALLY_STATUS_TABLE } from './tally-projection.ts';
import { VOTES_TABLE } from './votes-projection.ts';
import type { MethodOutcome } from './read-models.ts';

export interface TallyResults {
  /** VALID votes per choice once published; {} before (partial counts would read as results). */
  counts: Record<string, number>;
  statuses: Record<VoteStatus, number>;
  ballots: number;
  counted: number;
  published: boolean;
  publishedAt: string | null;
  /** Once published, in an election counted by its method (ballot rules) only: winners and rounds; `counts` is then {}. */
  outcome?: MethodOutcome;
}

export interface Receipt {
  ballotHash: string;
  status: VoteStatus;
  choice: string | null;
  /** The same `position` the cast receipt gave the voter. */
  position: number;
  countedPosition: number;
  /** Later ballots carrying the same commitment (counted as DUPLICATE_N2, or worse). */
  duplicates: number;
}

export interface TallyQueries {
  results(electionId: string): Promise<TallyResults>;
  receiptByCommitment(electionId: string, n2Commitment: string): Promise<Receipt | undefined>;
}

const zeroStatuses = () => Object.fromEntries(VOTE_STATUSES.map((s) => [s, 0])) as Record<VoteStatus, number>;

export function createTallyQueries(db: SqlExecutor): TallyQueries {
  return {
    async results(electionId) {
      const { rows } = await db.query<{
        status: string;
        ballots: number;
        counted: number;
        statuses: Record<VoteStatus, number> | null;
        published_at: Date | null;
        outcome: Partial<MethodOutcome> | null;
      }>(
        `SELECT status, ballots, counted, statuses, published_at, outcome FROM ${TALLY_STATUS_TABLE} WHERE election_id = $1`,
        [electionId],
      );
      const row = rows[0];
      if (!row) return { counts: {}, statuses: zeroStatuses(), ballots: 0, counted: 0, published: false, publishedAt: null };
      if (row.status === 'PUBLISHED') {
        const results = await db.query<{ choice: string; votes: number }>(`SELECT choice, votes FROM ${RESULTS_TABLE} WHERE election_id = $1`, [electionId]);
        return {
          counts: Object.fromEntries(results.rows.map((r) => [r.choice, r.votes])),
          statuses: { ...zeroStatuses(), ...row.statuses },
          ballots: row.ballots,
          counted: row.counted,
          published: true,
          publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
          ...(row.outcome?.method !== undefined && { outcome: row.outcome as MethodOutcome }),
        };
      }
      const byStatus = await db.query<{ status: VoteStatus; n: number }>(
        `SELECT status, count(*)::int AS n FROM ${COUNTED_VOTES_TABLE} WHERE election_id = $1 GROUP BY status`,
        [electionId],
      );
      const statuses = zeroStatuses();
      for (const r of byStatus.rows) statuses[r.status] = r.n;
      return { counts: {}, statuses, ballots: row.ballots, counted: row.counted, published: false, publishedAt: null };
    },

    async receiptByCommitment(electionId, n2Commitment) {
      if (!isN2Commitment(n2Commitment)) return undefined;
      const castPosition = `(SELECT min(v.position) FROM ${VOTES_TABLE} v WHERE v.election_id = c.election_id AND v.ballot_hash = c.ballot_hash)`;
      const { rows } = await db.query<{ ballot_hash: string; status: VoteStatus; choice: string | null; position: number; cast_position: number | null }>(
        `SELECT c.ballot_hash, c.status, c.choice, c.position, ${castPosition} AS cast_position
           FROM ${COUNTED_VOTES_TABLE} c WHERE c.election_id = $1 AND c.n2_commitment = $2 ORDER BY c.position`,
        [electionId, n2Commitment],
      );
      const first = rows[0];
      if (!first) return undefined;
      return {
        ballotHash: first.ballot_hash,
        status: first.status,
        choice: first.choice,
        position: first.cast_position === null ? first.position : Number(first.cast_position),
        countedPosition: first.position,
        duplicates: rows.length - 1,
      };
    },
  };
}
