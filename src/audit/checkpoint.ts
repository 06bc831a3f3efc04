/**
 * Signed checkpoints (tree heads): Ed25519 over canonicalJson({ electionId, size, root, lastPosition }).
 * The public log key is in ElectionCreated, so an auditor needs nothing but the log.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJsonBytes } from '../crypto/canonical.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';

export interface CheckpointBody {
  electionId: string;
  size: number;
  /** Hex Merkle tree head. */
  root: string;
  lastPosition: number;
}

/** Where the log key lives in the key store (the credentials feature creates it with the election). */
export const logKeyName = (electionId: string) => `election/${electionId}/log`;

export function checkpointMessage(body: CheckpointBody): Uint8Array {
  return canonicalJsonBytes({ electionId: body.electionId, size: body.size, root: body.root, lastPosition: body.lastPosition });
}

export function logPrivateKeyFromPkcs8(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

/** The Ed25519 public key from its raw 32 bytes (base64url), or undefined when malformed. */
export function logPublicKeyFromRaw(base64url: string): KeyObject | undefined {
  const raw = fromBase64url(base64url);
  if (!raw || raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export function rawLogPublicKey(key: KeyObject): string {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return jwk.x;
}

/** base64url Ed25519 signature. */
export function signCheckpoint(privateKey: KeyObject, body: CheckpointBody): string {
  return toBase64url(new Uint8Array(sign(null, checkpointMessage(body), privateKey)));
}

export function verifyCheckpoint(publicKey: KeyObject, body: CheckpointBody, signature: string): boolean {
  const sig = fromBase64url(signature);
  if (!sig || sig.length !== 64) return false;
  try {
    return verify(null, checkpointMessage(body), publicKey, sig);
  } catch {
    return false;
  }
}
