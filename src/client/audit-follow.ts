/**
 * Live audit, client side: checks the pushed log as it arrives (docs/audit.md, "Live audit") and
 * stops at the first failure; the full ballot audit stays with `verifyLog` over an export.
 */
import type { KeyObject } from 'node:crypto';
import type { EvoteConnection, Push } from './connection.ts';
import type { ElectionCreated } from '../domain/election-events.ts';
import { logPublicKeyFromRaw, verifyCheckpoint } from '../audit/checkpoint.ts';
import { entryLeafHash } from '../domain/log-entry.ts';
import type { CheckpointLine, EventLine, FollowSnapshot } from '../audit/log-lines.ts';
import { verifyConsistency } from '../crypto/merkle.ts';
import { MerkleTree } from '../crypto/merkle-tree.ts';

export interface VerifiedCheckpoint {
  size: number;
  root: string;
  position: number;
}

export interface FollowFailure {
  check: string;
  message: string;
  position: number;
  streamId: string;
  type: string;
}

export interface FollowOptions {
  onEvent?(line: EventLine): void;
  onCheckpoint?(c: VerifiedCheckpoint): void;
  onFailure?(f: FollowFailure): void;
}

export interface Follower {
  readonly tree: MerkleTree;
  lastVerified(): VerifiedCheckpoint | undefined;
  failure(): FollowFailure | undefined;
  stop(): Promise<void>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Follows from the start of the log (leaf 0 carries the log key). */
export async function followAndVerify(conn: EvoteConnection, electionId: string, opts: FollowOptions = {}): Promise<Follower> {
  const tree = new MerkleTree();
  let logKey: KeyObject | undefined;
  let last: VerifiedCheckpoint | undefined;
  let lastRoot: Uint8Array | undefined;
  let failed: FollowFailure | undefined;

  const fail = (check: string, message: string, l: { position: number; streamId: string; type: string }) => {
    failed = { check, message, position: l.position, streamId: l.streamId, type: l.type };
    opts.onFailure?.(failed);
  };

  const onEvent = (l: EventLine) => {
    if (l.leafIndex !== tree.size) return fail('LEAF_INDEX', `leaf ${l.leafIndex}, expected ${tree.size}`, l);
    const leaf = entryLeafHash(l);
    if (hex(leaf) !== l.leafHash) return fail('LEAF_HASH', 'the event bytes do not hash to its leaf hash', l);
    if (tree.size === 0) {
      if (l.type !== 'ElectionCreated') return fail('LIFECYCLE', 'the log does not start with ElectionCreated', l);
      logKey = logPublicKeyFromRaw((l.data as ElectionCreated['data']).logPublicKey);
      if (!logKey) return fail('ELECTION_KEYS', 'ElectionCreated carries no valid log key', l);
    }
    tree.append(leaf);
    opts.onEvent?.(l);
  };

  const onCheckpoint = (c: CheckpointLine) => {
    const d = c.data;
    if (!logKey) return fail('CHECKPOINT_SIGNATURE', 'a checkpoint before ElectionCreated', c);
    if (!(Number.isSafeInteger(d.size) && d.size >= 1 && d.size <= tree.size)) return fail('CHECKPOINT_SIZE', `checkpoint of size ${d.size} with ${tree.size} leaves received`, c);
    const root = tree.root(d.size);
    if (hex(root) !== d.root) return fail('CHECKPOINT_ROOT', 'the signed root is not the Merkle root of the leaves received', c);
    if (!verifyCheckpoint(logKey, { electionId, size: d.size, root: d.root, lastPosition: d.lastPosition }, d.signature)) {
      return fail('CHECKPOINT_SIGNATURE', 'the checkpoint signature does not verify', c);
    }
    if (last && lastRoot) {
      if (d.size < last.size || !verifyConsistency(last.size, d.size, lastRoot, root, tree.consistencyProof(last.size, d.size))) {
        return fail('CHECKPOINT_CONSISTENCY', 'the checkpoint is not consistent with the previous one', c);
      }
    }
    last = { size: d.size, root: d.root, position: c.position };
    lastRoot = root;
    opts.onCheckpoint?.(last);
  };

  const onPush = (p: Push) => {
    if (failed) return;
    if (p.name === 'audit.event') onEvent(p.payload as EventLine);
    else if (p.name === 'audit.checkpoint') onCheckpoint(p.payload as CheckpointLine);
  };

  const { subscription } = await conn.subscribe<FollowSnapshot>('audit.follow', { electionId }, onPush);
  return {
    tree,
    lastVerified: () => last,
    failure: () => failed,
    stop: () => conn.unsubscribe('audit.follow', subscription),
  };
}
