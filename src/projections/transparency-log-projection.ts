/**
 * The transparency log's Merkle trees (tables in docs/audit.md). It never signs nor appends: a
 * projection's effect is rows; the checkpointer (src/audit/checkpointer.ts) signs after commit.
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import type { LogCheckpointed } from '../domain/log-events.ts';
import { LOG_STREAM_PREFIX, logStreamId } from '../domain/streams.ts';
import { ALL_ELECTION_LOG_PREFIXES, TRANSITION_TYPES, electionIdOf, entryLeafHash, logElectionOf } from '../domain/log-entry.ts';
import { MerkleFrontier } from '../crypto/merkle.ts';
import type { Notification, Projection } from './projection.ts';

export const LOG_TREES_TABLE = 'log_trees';
export const LOG_LEAVES_TABLE = 'log_leaves';
export const LOG_HEADS_TABLE = 'log_heads';
export const LOG_CHECKPOINTS_TABLE = 'log_checkpoints';

/** Pub/sub channel announcing that an election's log grew or was checkpointed (live audit). */
export const logChannel = (electionId: string) => `evote:log:${electionId}`;

export interface LogGrowth {
  electionId: string;
  size: number;
  lastPosition: number;
  checkpointSize: number;
}

interface Tree {
  frontier: MerkleFrontier;
  lastPosition: number;
  checkpointSize: number;
  checkpointRevision: number | null;
  checkpointedAt: string | null;
  changed: boolean;
}

interface LeafRow {
  electionId: string;
  idx: number;
  position: number;
  hash: Buffer;
  type: string;
  ballotHash: string | null;
  n2Commitment: string | null;
  status: string | null;
  choice: string | null;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function receiptKeys(e: RecordedEvent): Pick<LeafRow, 'ballotHash' | 'n2Commitment' | 'status' | 'choice'> {
  const d = e.data as { ballotHash?: unknown; n2Commitment?: unknown; status?: unknown; choice?: unknown };
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  if (e.type === 'BallotCast') return { ballotHash: str(d.ballotHash), n2Commitment: null, status: null, choice: null };
  if (e.type === 'VoteCounted') return { ballotHash: str(d.ballotHash), n2Commitment: str(d.n2Commitment), status: str(d.status), choice: str(d.choice) };
  return { ballotHash: null, n2Commitment: null, status: null, choice: null };
}

async function loadTrees(tx: SqlExecutor, ids: string[]): Promise<Map<string, Tree>> {
  const trees = new Map<string, Tree>();
  if (ids.length === 0) return trees;
  const { rows } = await tx.query<{
    election_id: string;
    size: number;
    frontier: string[];
    last_position: number;
    checkpoint_size: number;
    checkpoint_revision: number | null;
    checkpointed_at: string | null;
  }>(
    `SELECT election_id, size, frontier, last_position, checkpoint_size, checkpoint_revision, checkpointed_at
       FROM ${LOG_TREES_TABLE} WHERE election_id = ANY($1::text[]) FOR UPDATE`,
    [ids],
  );
  for (const r of rows) {
    trees.set(r.election_id, {
      frontier: MerkleFrontier.restore(r.size, r.frontier),
      lastPosition: r.last_position,
      checkpointSize: r.checkpoint_size,
      checkpointRevision: r.checkpoint_revision,
      checkpointedAt: r.checkpointed_at,
      changed: false,
    });
  }
  return trees;
}

async function insertLeaves(tx: SqlExecutor, leaves: LeafRow[]): Promise<void> {
  for (let i = 0; i < leaves.length; i += 5000) {
    const chunk = leaves.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO ${LOG_LEAVES_TABLE} (election_id, idx, position, hash, type, ballot_hash, n2_commitment, status, choice)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
      [
        chunk.map((l) => l.electionId),
        chunk.map((l) => l.idx),
        chunk.map((l) => l.position),
        chunk.map((l) => l.hash),
        chunk.map((l) => l.type),
        chunk.map((l) => l.ballotHash),
        chunk.map((l) => l.n2Commitment),
        chunk.map((l) => l.status),
        chunk.map((l) => l.choice),
      ],
    );
  }
}

export function transparencyLogProjection(): Projection {
  return {
    name: 'transparency-log',
    filter: { streamPrefixes: [...ALL_ELECTION_LOG_PREFIXES, LOG_STREAM_PREFIX] },

    async reset(tx) {
      for (const t of [LOG_TREES_TABLE, LOG_LEAVES_TABLE, LOG_HEADS_TABLE, LOG_CHECKPOINTS_TABLE]) await tx.query(`DELETE FROM ${t}`);
    },

    async apply(tx, events) {
      const ids = [...new Set(events.map((e) => electionIdOf(e.data)).filter((x): x is string => x !== undefined))];
      const trees = await loadTrees(tx, ids);
      const leaves: LeafRow[] = [];
      const heads: { electionId: string; size: number; root: string; lastPosition: number }[] = [];

      for (const e of events) {
        if (e.streamId.startsWith(LOG_STREAM_PREFIX)) {
          if (e.type !== 'LogCheckpointed') continue;
          const d = e.data as LogCheckpointed['data'];
          if (e.streamId !== logStreamId(d.electionId)) continue;
          await tx.query(
            `INSERT INTO ${LOG_CHECKPOINTS_TABLE} (election_id, revision, size, root, last_position, signature, checkpointed_at, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
            [d.electionId, e.revision, d.size, d.root, d.lastPosition, d.signature, d.checkpointedAt, e.position],
          );
          await tx.query(`DELETE FROM ${LOG_HEADS_TABLE} WHERE election_id = $1 AND size <= $2`, [d.electionId, d.size]);
          const tree = trees.get(d.electionId);
          if (tree && (tree.checkpointRevision === null || e.revision > tree.checkpointRevision)) {
            Object.assign(tree, { checkpointSize: d.size, checkpointRevision: e.revision, checkpointedAt: d.checkpointedAt, changed: true });
          }
          continue;
        }
        const electionId = logElectionOf(e);
        if (electionId === undefined) continue;
        let tree = trees.get(electionId);
        if (!tree) {
          tree = { frontier: MerkleFrontier.empty(), lastPosition: 0, checkpointSize: 0, checkpointRevision: null, checkpointedAt: null, changed: true };
          trees.set(electionId, tree);
        }
        const entry = { position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data };
        const hash = entryLeafHash(entry);
        leaves.push({ electionId, idx: tree.frontier.size, position: e.position, hash: Buffer.from(hash), type: e.type, ...receiptKeys(e) });
        tree.frontier.append(hash);
        tree.lastPosition = e.position;
        tree.changed = true;
        if (TRANSITION_TYPES.has(e.type)) heads.push({ electionId, size: tree.frontier.size, root: hex(tree.frontier.root()), lastPosition: e.position });
      }

      await insertLeaves(tx, leaves);
      for (const h of heads) {
        await tx.query(`INSERT INTO ${LOG_HEADS_TABLE} (election_id, size, root, last_position) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
          h.electionId,
          h.size,
          h.root,
          h.lastPosition,
        ]);
      }
      const notifications: Notification[] = [];
      for (const [electionId, t] of trees) {
        if (!t.changed) continue;
        const { size, nodes } = t.frontier.toJSON();
        await tx.query(
          `INSERT INTO ${LOG_TREES_TABLE} (election_id, size, frontier, root, last_position, checkpoint_size, checkpoint_revision, checkpointed_at)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
           ON CONFLICT (election_id) DO UPDATE SET size = EXCLUDED.size, frontier = EXCLUDED.frontier, root = EXCLUDED.root,
             last_position = EXCLUDED.last_position, checkpoint_size = EXCLUDED.checkpoint_size,
             checkpoint_revision = EXCLUDED.checkpoint_revision, checkpointed_at = EXCLUDED.checkpointed_at`,
          [electionId, size, JSON.stringify(nodes), hex(t.frontier.root()), t.lastPosition, t.checkpointSize, t.checkpointRevision, t.checkpointedAt],
        );
        const growth: LogGrowth = { electionId, size, lastPosition: t.lastPosition, checkpointSize: t.checkpointSize };
        notifications.push({ channel: logChannel(electionId), message: growth });
      }
      return notifications;
    },
  };
}
