/** May a witness co-sign this checkpoint, given the last it co-signed? (docs/witnesses.md, "What a witness checks") */
import type { CryptoPrimitives } from '../crypto/primitives.ts';
import { fromHex } from '../crypto/bytes.ts';
import { verifyConsistencyWith } from '../crypto/merkle-core.ts';
import { logPublicKeyFromRawWith, verifyCheckpointWith, type CheckpointBody } from './checkpoint-core.ts';

/** What a witness remembers of one log: the last checkpoint it co-signed. */
export interface WitnessedLog {
  /** The log key (raw Ed25519, base64url) first seen in ElectionCreated: pinned. */
  logPublicKey: string;
  size: number;
  root: string;
  lastPosition: number;
  time: number;
  /** The election fingerprint checked with `--fingerprint` (kept for runs resumed after ElectionCreated). */
  fingerprint?: string;
}

export type RefusalCode = 'CHECKPOINT_ROOT' | 'CHECKPOINT_SIGNATURE' | 'LOG_KEY_CHANGED' | 'CHECKPOINT_ROLLBACK' | 'CHECKPOINT_FORK' | 'CHECKPOINT_INCONSISTENT' | 'ELECTION_FINGERPRINT';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export interface Offered extends CheckpointBody {
  signature: string;
}

/** `proof`: RFC 9162 consistency proof from `last.size` to `cp.size` (ignored when not needed). */
export function judgeCheckpoint(crypto: CryptoPrimitives, last: WitnessedLog | undefined, logPublicKey: string, cp: Offered, proof: readonly Uint8Array[]): Refusal | undefined {
  if (last && last.logPublicKey !== logPublicKey) return { code: 'LOG_KEY_CHANGED', message: `the log of ${cp.electionId} is signed by another key than the one this witness pinned` };
  const key = logPublicKeyFromRawWith(crypto, logPublicKey);
  const body = { electionId: cp.electionId, size: cp.size, root: cp.root, lastPosition: cp.lastPosition };
  if (!key || !verifyCheckpointWith(crypto, key, body, cp.signature)) return { code: 'CHECKPOINT_SIGNATURE', message: `checkpoint of size ${cp.size}: the log key's signature does not verify` };
  if (!last) return undefined;
  if (cp.size < last.size) return { code: 'CHECKPOINT_ROLLBACK', message: `checkpoint of size ${cp.size} is smaller than the size ${last.size} this witness co-signed: the log was cut` };
  if (cp.size === last.size) {
    return cp.root === last.root ? undefined : { code: 'CHECKPOINT_FORK', message: `two roots for size ${cp.size}: the log forked` };
  }
  if (!verifyConsistencyWith(crypto.nodeHash, last.size, cp.size, fromHex(last.root), fromHex(cp.root), proof)) {
    return { code: 'CHECKPOINT_INCONSISTENT', message: `checkpoint of size ${cp.size} does not extend the size ${last.size} this witness co-signed (no valid consistency proof): the log forked` };
  }
  return undefined;
}
