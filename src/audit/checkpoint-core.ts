/**
 * A signed checkpoint's message and its verification, over any platform's Ed25519 (checkpoint.ts
 * binds node:crypto's, for signing too; the browser's audit uses @noble's).
 */
import { canonicalJsonBytes } from '../crypto/canonical.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import type { CryptoPrimitives, PublicKeyHandle } from '../crypto/primitives.ts';

export interface CheckpointBody {
  electionId: string;
  size: number;
  /** Hex Merkle tree head. */
  root: string;
  lastPosition: number;
}

export function checkpointMessage(body: CheckpointBody): Uint8Array {
  return canonicalJsonBytes({ electionId: body.electionId, size: body.size, root: body.root, lastPosition: body.lastPosition });
}

/** The Ed25519 public key from its raw 32 bytes (base64url), or undefined when malformed. */
export function logPublicKeyFromRawWith(crypto: CryptoPrimitives, base64url: string): PublicKeyHandle | undefined {
  const raw = fromBase64url(base64url);
  if (!raw || raw.length !== 32) return undefined;
  return crypto.ed25519PublicKey(raw);
}

/** `signature`: base64url of 64 bytes; anything else does not verify. */
export function verifyCheckpointWith(crypto: CryptoPrimitives, publicKey: PublicKeyHandle, body: CheckpointBody, signature: string): boolean {
  const sig = fromBase64url(signature);
  if (!sig || sig.length !== 64) return false;
  return crypto.ed25519Verify(publicKey, checkpointMessage(body), sig);
}
