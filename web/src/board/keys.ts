/**
 * The board's own checks over WebCrypto: the election fingerprint (recomputed here rather than taken
 * from the server, as the booth does) and checkpoint signatures, over the server's own message bytes.
 */
import { checkpointMessage, type CheckpointBody } from '../../../src/audit/checkpoint-core.ts';
import { fromBase64url } from '../../../src/crypto/bytes.ts';
import { electionFingerprint as fingerprintOfKeys, pinsOf, type PublishedPins } from '../crypto/election.ts';
import { bs } from '../crypto/webcrypto.ts';

export { formatFingerprint } from '../crypto/election.ts';

/** The fingerprint, or null until the election publishes its three keys (or when one is malformed). */
export async function electionFingerprint(e: { electionId: string; authorityPublicKey?: string; ballotPublicKey?: string; logPublicKey?: string } & PublishedPins): Promise<string | null> {
  const { electionId, authorityPublicKey, ballotPublicKey, logPublicKey } = e;
  if (!authorityPublicKey || !ballotPublicKey || !logPublicKey) return null;
  return (await fingerprintOfKeys({ electionId, authorityPublicKey, ballotPublicKey, logPublicKey, ...pinsOf(e) })) ?? null;
}

export type SignatureCheck = 'ok' | 'bad' | 'unsupported';

/** Imports the election's raw 32-byte Ed25519 log key; undefined when the browser lacks Ed25519 or the key is malformed. */
export async function importLogKey(base64url: string | undefined): Promise<CryptoKey | 'unsupported' | undefined> {
  const raw = base64url ? fromBase64url(base64url) : undefined;
  if (!raw || raw.length !== 32) return undefined;
  try {
    return await crypto.subtle.importKey('raw', bs(raw), { name: 'Ed25519' }, false, ['verify']);
  } catch (err) {
    return (err as Error).name === 'NotSupportedError' ? 'unsupported' : undefined;
  }
}

/** Ed25519 over the checkpoint's canonical JSON (src/audit/checkpoint-core.ts), as the checkpointer signs it. */
export async function verifyCheckpoint(key: CryptoKey, body: CheckpointBody, signature: string): Promise<boolean> {
  const sig = fromBase64url(signature);
  if (!sig || sig.length !== 64) return false;
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, bs(sig), bs(checkpointMessage(body)));
  } catch {
    return false;
  }
}
