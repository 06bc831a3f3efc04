/**
 * The public board's reads, all from the transparency-log read model (log_leaves, log_checkpoints,
 * log_trees) so that they agree with the log-growth notification that tells the board to re-read:
 * the same projection commits both. Ballot statuses come from the tally's counted_votes.
 */
import type { SqlExecutor } from '../sql/client.ts';
import { LOG_CHECKPOINTS_TABLE, LOG_LEAVES_TABLE, LOG_TREES_TABLE } from './transparency-log-projection.ts';
import { COUNTED_VOTES_TABLE } from './tally-projection.ts';

export const DEFAULT_BOARD_BALLOTS_PAGE = 20;
export const MAX_BOARD_BALLOTS_PAGE = 200;
export const DEFAULT_BOARD_CHECKPOINTS_PAGE = 10;
export const MAX_BOARD_CHECKPOINTS_PAGE = 100;

/** How far the election's log is: what the board shows as "ballots so far". */
export interface BoardSummary {
  electionId: string;
  /** BallotCast leaves in the log (released from the pool; a repeat counts twice, as on the log). */
  ballots: number;
  /** Leaves in the election's log, and the global position of the last one. */
  logSize: number;
  lastPosition: number;
  /** Leaves covered by the latest signed checkpoint (0 before the first). */
  checkpointSize: number;
  checkpoints: number;
}

export interface BoardBallot {
  leafIndex: number;
  position: number;
  ballotHash: string;
  /** The tally's status for this copy of the ballot; null before the tally, or when the tally left it out (cast after the close, or a repeat). */
  status: string | null;
}

export interface BoardCheckpoint {
  revision: number;
  size: number;
  root: string;
  lastPosition: number;
  signature: string;
  checkpointedAt: string;
  position: number;
}

export interface BoardQueries {
  summary(electionId: string): Promise<BoardSummary>;
  /** Ballots in log order with leaf index greater than `after`; `next` is the `after` of the next page, or null. */
  ballots(electionId: string, page: { after?: number; limit?: number }): Promise<{ ballots: BoardBallot[]; next: number | null }>;
  /** Signed checkpoints, newest first, with revision below `before`; `next` is the `before` of the next page, or null. */
  checkpoints(electionId: string, page: { before?: number; limit?: number }): Promise<{ checkpoints: BoardCheckpoint[]; next: number | null }>;
}

const clamp = (n: number | undefined, fallback: number, max: number) => Math.min(max, Math.max(1, Math.floor(n ?? fallback)));

export function createBoardQueries(db: SqlExecutor): BoardQueries {
  return {
    async summary(electionId) {
      const { rows } = await db.query<{ size: number; last_position: string | number; checkpoint_size: number; ballots: number; checkpoints: number }>(
        `SELECT t.size, t.last_position, t.checkpoint_size,
           (SELECT count(*)::int FROM ${LOG_LEAVES_TABLE} l WHERE l.election_id = t.election_id AND l.type = 'BallotCast') AS ballots,
           (SELECT count(*)::int FROM ${LOG_CHECKPOINTS_TABLE} c WHERE c.election_id = t.election_id) AS checkpoints
         FROM ${LOG_TREES_TABLE} t WHERE t.election_id = $1`,
        [electionId],
      );
      const r = rows[0];
      if (!r) return { electionId, ballots: 0, logSize: 0, lastPosition: 0, checkpointSize: 0, checkpoints: 0 };
      return { electionId, ballots: r.ballots, logSize: r.size, lastPosition: Number(r.last_position), checkpointSize: r.checkpoint_size, checkpoints: r.checkpoints };
    },

    async ballots(electionId, page) {
      const limit = clamp(page.limit, DEFAULT_BOARD_BALLOTS_PAGE, MAX_BOARD_BALLOTS_PAGE);
      const after = page.after ?? -1;
      // A repeated ciphertext shares its hash with an earlier leaf: only the first copy carries the tally's status.
      const { rows } = await db.query<{ idx: number; position: string | number; ballot_hash: string; status: string | null }>(
        `SELECT l.idx, l.position, l.ballot_hash,
           CASE WHEN EXISTS (SELECT 1 FROM ${LOG_LEAVES_TABLE} e WHERE e.election_id = l.election_id AND e.ballot_hash = l.ballot_hash AND e.type = 'BallotCast' AND e.idx < l.idx)
             THEN NULL ELSE c.status END AS status
         FROM ${LOG_LEAVES_TABLE} l
         LEFT JOIN ${COUNTED_VOTES_TABLE} c ON c.election_id = l.election_id AND c.ballot_hash = l.ballot_hash
         WHERE l.election_id = $1 AND l.type = 'BallotCast' AND l.idx > $2 ORDER BY l.idx LIMIT $3`,
        [electionId, after, limit + 1],
      );
      const ballots = rows.slice(0, limit).map((r) => ({ leafIndex: r.idx, position: Number(r.position), ballotHash: r.ballot_hash, status: r.status ?? null }));
      const last = ballots[ballots.length - 1];
      return { ballots, next: rows.length > limit && last ? last.leafIndex : null };
    },

    async checkpoints(electionId, page) {
      const limit = clamp(page.limit, DEFAULT_BOARD_CHECKPOINTS_PAGE, MAX_BOARD_CHECKPOINTS_PAGE);
      const before = page.before ?? 2 ** 31 - 1;
      const { rows } = await db.query<{ revision: number; size: number; root: string; last_position: string | number; signature: string; checkpointed_at: string; position: string | number }>(
        `SELECT revision, size, root, last_position, signature, checkpointed_at, position FROM ${LOG_CHECKPOINTS_TABLE}
         WHERE election_id = $1 AND revision < $2 ORDER BY revision DESC LIMIT $3`,
        [electionId, before, limit + 1],
      );
      const checkpoints = rows.slice(0, limit).map((r) => ({
        revision: r.revision,
        size: r.size,
        root: r.root,
        lastPosition: Number(r.last_position),
        signature: r.signature,
        checkpointedAt: r.checkpointed_at,
        position: Number(r.position),
      }));
      const last = checkpoints[checkpoints.length - 1];
      return { checkpoints, next: rows.length > limit && last ? last.revision : null };
    },
  };
}
