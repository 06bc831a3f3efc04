/**
 * Receipts and consistency proofs from the transparency-log tables, via an in-memory MerkleTree
 * of the leaves up to the size asked for (docs/audit.md, "Receipts and proofs").
 */
import type { SqlExecutor } from '../sql/client.ts';
import type { Result } from '../domain/errors.ts';
import { domainError } from '../domain/errors.ts';
import type { LogCheckpointed } from '../domain/log-events.ts';
import { LOG_CHECKPOINTS_TABLE, LOG_LEAVES_TABLE, LOG_TREES_TABLE } from '../projections/transparency-log-projection.ts';
import { MerkleTree } from '../crypto/merkle-tree.ts';

/** A LogCheckpointed as the read model serves it, with where it stands in the log. */
export type SignedCheckpoint = LogCheckpointed['data'] & {
  /** Revision in `log-{eid}` and global position of the LogCheckpointed event. */
  revision: number;
  position: number;
};

export interface InclusionReceipt {
  ballotHash: string;
  leafIndex: number;
  leafHash: string;
  position: number;
  /** Audit path (hex), RFC 9162 §2.1.3.1, to `checkpoint.root`. */
  proof: string[];
  checkpoint: SignedCheckpoint;
  /** How the ballot was counted, once the tally reached it. */
  counted: { status: string; choice: string | null; leafIndex: number; position: number } | null;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ok = <T>(value: T): Result<T> => ({ ok: true, value });

interface CheckpointRow {
  election_id: string;
  revision: number;
  size: number;
  root: string;
  last_position: number;
  signature: string;
  checkpointed_at: string;
  position: number;
}

const toCheckpoint = (r: CheckpointRow): SignedCheckpoint => ({
  electionId: r.election_id,
  size: r.size,
  root: r.root,
  lastPosition: r.last_position,
  signature: r.signature,
  checkpointedAt: r.checkpointed_at,
  revision: r.revision,
  position: r.position,
});

async function treeOf(db: SqlExecutor, electionId: string, size: number): Promise<MerkleTree> {
  const { rows } = await db.query<{ hash: Uint8Array }>(`SELECT hash FROM ${LOG_LEAVES_TABLE} WHERE election_id = $1 AND idx < $2 ORDER BY idx`, [electionId, size]);
  const tree = new MerkleTree();
  for (const r of rows) tree.append(new Uint8Array(r.hash));
  return tree;
}

/** Leaves of the log at or before `position`, or undefined while the read model is not there yet. */
export async function leavesInReadModelUpTo(db: SqlExecutor, electionId: string, position: number): Promise<number | undefined> {
  const { rows } = await db.query<{ last_position: number; leaves: number }>(
    `SELECT t.last_position, (SELECT count(*)::int FROM ${LOG_LEAVES_TABLE} l WHERE l.election_id = t.election_id AND l.position <= $2) AS leaves
     FROM ${LOG_TREES_TABLE} t WHERE t.election_id = $1`,
    [electionId, position],
  );
  const row = rows[0];
  return row && Number(row.last_position) >= position ? Number(row.leaves) : undefined;
}

export async function latestCheckpoint(db: SqlExecutor, electionId: string, coveringIndex = -1): Promise<SignedCheckpoint | undefined> {
  const { rows } = await db.query<CheckpointRow>(
    `SELECT * FROM ${LOG_CHECKPOINTS_TABLE} WHERE election_id = $1 AND size > $2 ORDER BY size DESC, revision DESC LIMIT 1`,
    [electionId, coveringIndex],
  );
  return rows[0] ? toCheckpoint(rows[0]) : undefined;
}

export async function checkpointQuery(db: SqlExecutor, electionId: string): Promise<Result<SignedCheckpoint>> {
  const cp = await latestCheckpoint(db, electionId);
  return cp ? ok(cp) : { ok: false, error: domainError('LOG_NOT_CHECKPOINTED', `no signed checkpoint of election ${electionId} yet`) };
}

/** By ballot hash, or by N2 commitment (only a counted ballot; the letter alone finds nothing). */
export async function inclusionReceipt(db: SqlExecutor, electionId: string, key: { ballotHash?: string; n2Commitment?: string }): Promise<Result<InclusionReceipt>> {
  let ballotHash = key.ballotHash;
  if (ballotHash === undefined && key.n2Commitment !== undefined) {
    const { rows } = await db.query<{ ballot_hash: string }>(
      `SELECT ballot_hash FROM ${LOG_LEAVES_TABLE} WHERE election_id = $1 AND n2_commitment = $2 AND type = 'VoteCounted' ORDER BY idx LIMIT 1`,
      [electionId, key.n2Commitment],
    );
    ballotHash = rows[0]?.ballot_hash;
  }
  const notFound = { ok: false as const, error: domainError('BALLOT_NOT_FOUND', 'no such ballot in the log of this election') };
  if (ballotHash === undefined) return notFound;
  const { rows } = await db.query<{ idx: number; position: number; type: string; hash: Uint8Array; status: string | null; choice: string | null }>(
    `SELECT idx, position, type, hash, status, choice FROM ${LOG_LEAVES_TABLE} WHERE election_id = $1 AND ballot_hash = $2 ORDER BY idx`,
    [electionId, ballotHash],
  );
  const cast = rows.find((r) => r.type === 'BallotCast');
  if (!cast) return notFound;
  const checkpoint = await latestCheckpoint(db, electionId, cast.idx);
  if (!checkpoint) return { ok: false, error: domainError('LOG_NOT_CHECKPOINTED', 'the ballot is in the log but no signed checkpoint covers it yet; retry in a few seconds') };
  const tree = await treeOf(db, electionId, checkpoint.size);
  const countedRow = rows.find((r) => r.type === 'VoteCounted');
  let counted: InclusionReceipt['counted'] = null;
  if (countedRow) counted = { status: countedRow.status ?? 'UNKNOWN', choice: countedRow.choice, leafIndex: countedRow.idx, position: countedRow.position };
  return ok({
    ballotHash,
    leafIndex: cast.idx,
    leafHash: hex(new Uint8Array(cast.hash)),
    position: cast.position,
    proof: tree.inclusionProof(cast.idx, checkpoint.size).map(hex),
    checkpoint,
    counted,
  });
}

export async function consistencyQuery(db: SqlExecutor, electionId: string, from: number, to: number): Promise<Result<{ from: number; to: number; fromRoot: string; toRoot: string; proof: string[] }>> {
  const { rows } = await db.query<{ size: number }>(`SELECT size FROM ${LOG_TREES_TABLE} WHERE election_id = $1`, [electionId]);
  const size = rows[0]?.size;
  if (size === undefined) return { ok: false, error: domainError('ELECTION_NOT_FOUND', `election ${electionId} has no log`) };
  if (!(from >= 1 && from <= to && to <= size)) return { ok: false, error: domainError('INVALID_PROOF_RANGE', `from and to must satisfy 1 <= from <= to <= ${size}`) };
  const tree = await treeOf(db, electionId, to);
  return ok({ from, to, fromRoot: hex(tree.root(from)), toRoot: hex(tree.root(to)), proof: tree.consistencyProof(from, to).map(hex) });
}
