/**
 * Read side of the ballot feature: receipts and the bulletin board (cached by src/projections/cached-queries.ts),
 * and a briefly cached election status for tests that run the command paths without the read cache.
 */
import { COUNTED_VOTES_TABLE } from './tally-projection.ts';
import type { SqlExecutor } from '../sql/client.ts';
import type { ElectionStatus } from '../domain/election-events.ts';
import { VOTES_TABLE } from './votes-projection.ts';

export const MAX_BOARD_PAGE = 1000;
export const DEFAULT_BOARD_PAGE = 100;

export interface BallotReceipt {
  ballotHash: string;
  position: number;
  submittedAt: string;
  /** The tally's status for this ballot, or null before the tally. */
  status: string | null;
}

export interface BoardEntry {
  ballotHash: string;
  ciphertext: string;
  position: number;
}

export interface BoardPage {
  ballots: BoardEntry[];
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
}

export interface BallotQueries {
  receipt(electionId: string, ballotHash: string): Promise<BallotReceipt | undefined>;
  /** The receipts of every ballot whose hash starts with `prefix` (lower-case hex), one per hash: what the read cache loads at once. */
  receiptsWithPrefix(electionId: string, prefix: string): Promise<BallotReceipt[]>;
  board(electionId: string, page: { after?: number; limit?: number }): Promise<BoardPage>;
  countBallots(electionId: string): Promise<number>;
}

type ReceiptRow = { ballot_hash: string; position: string | number; submitted_at: Date | string; status: string | null };

const toReceipt = (row: ReceiptRow): BallotReceipt => ({
  ballotHash: row.ballot_hash,
  position: Number(row.position),
  submittedAt: new Date(row.submitted_at).toISOString(),
  status: row.status ?? null,
});

export function createBallotQueries(db: SqlExecutor): BallotQueries {
  return {
    async receipt(electionId, ballotHash) {
      // The earliest copy: a replayed ciphertext appears twice on the board (docs/ballots.md).
      const { rows } = await db.query<ReceiptRow>(
        `select v.ballot_hash, v.position, v.submitted_at, c.status from ${VOTES_TABLE} v
         left join ${COUNTED_VOTES_TABLE} c on c.ballot_hash = v.ballot_hash and c.election_id = v.election_id
         where v.election_id = $1 and v.ballot_hash = $2 order by v.position limit 1`,
        [electionId, ballotHash],
      );
      const row = rows[0];
      return row ? toReceipt(row) : undefined;
    },

    async receiptsWithPrefix(electionId, prefix) {
      if (!/^[0-9a-f]*$/.test(prefix)) return [];
      // A range on the hash index: every lower-case hex string with this prefix sorts in [prefix, prefix + 'g').
      const { rows } = await db.query<ReceiptRow>(
        `select distinct on (v.ballot_hash) v.ballot_hash, v.position, v.submitted_at, c.status from ${VOTES_TABLE} v
         left join ${COUNTED_VOTES_TABLE} c on c.ballot_hash = v.ballot_hash and c.election_id = v.election_id
         where v.election_id = $1 and v.ballot_hash >= $2 and v.ballot_hash < $3 order by v.ballot_hash, v.position`,
        [electionId, prefix, `${prefix}g`],
      );
      return rows.map(toReceipt);
    },

    async board(electionId, page) {
      const limit = Math.min(MAX_BOARD_PAGE, Math.max(1, Math.floor(page.limit ?? DEFAULT_BOARD_PAGE)));
      const after = Math.max(0, Math.floor(page.after ?? 0));
      const { rows } = await db.query<{ ballot_hash: string; ciphertext: string; position: string | number }>(
        `select ballot_hash, ciphertext, position from ${VOTES_TABLE} where election_id = $1 and position > $2 order by position limit $3`,
        [electionId, after, limit + 1],
      );
      const ballots = rows.slice(0, limit).map((r) => ({ ballotHash: r.ballot_hash, ciphertext: r.ciphertext, position: Number(r.position) }));
      const last = ballots[ballots.length - 1];
      return { ballots, next: rows.length > limit && last ? last.position : null };
    },

    async countBallots(electionId) {
      const { rows } = await db.query<{ n: string | number }>(`select count(*) as n from ${VOTES_TABLE} where election_id = $1`, [electionId]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/** An election's status as the signing and casting paths see it; NONE for an unknown election. */
export type ElectionStatusView = ElectionStatus | 'NONE';
