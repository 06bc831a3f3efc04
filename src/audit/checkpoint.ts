/**
 * Signed checkpoints (tree heads): Ed25519 over canonicalJson({ electionId, size, root, lastPosition }).
 * The public log key is in ElectionCreated, so an auditor needs nothing but the log.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { toBase64url } from '../crypto/bytes.ts';
import { nodePrimitives } from '../crypto/node-primitives.ts';
import { checkpointMessage, logPublicKeyFromRawWith, verifyCheckpointWith, type CheckpointBody } from './checkpoint-core.ts';

// The message and the verification are platform-neutral (checkpoint-core.ts): the browser's audit runs them.
export { checkpointMessage, type CheckpointBody } from './checkpoint-core.ts';

/** Where the log key lives in the key store (the credentials feature creates it with the election). */
export const logKeyName = (electionId: string) => `election/${electionId}/log`;

export function logPrivateKeyFromPkcs8(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

/** The Ed25519 public key from its raw 32 bytes (base64url), or undefined when malformed. */
export function logPublicKeyFromRaw(base64url: string): KeyObject | undefined {
  return logPublicKeyFromRawWith(nodePrimitives, base64url) as KeyObject | undefined;
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
  return verifyCheckpointWith(nodePrimitives, publicKey, body, signature);
}
