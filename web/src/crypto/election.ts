/**
 * What the booth checks about an election: its fingerprint (src/crypto/election-fingerprint.ts,
 * layout in docs/audit.md) and the log key's Ed25519 signature on a cast receipt (src/crypto/cast-receipt.ts).
 */
import { concatBytes, fromBase64url, isWellFormedText, lengthPrefixed, toHex, utf8 } from '../../../src/crypto/bytes.ts';
import { bs, sha256 } from './webcrypto.ts';
import { canonicalJsonBytes } from '../../../src/crypto/canonical.ts';

export const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';
export const CAST_RECEIPT_TYPE = 'evote/cast-receipt/v1';

export interface ElectionKeys {
  electionId: string;
  authorityPublicKey: string;
  ballotPublicKey: string;
  logPublicKey: string;
}

/** 64 lowercase hex digits over the id and the three published keys; undefined for a malformed string. */
export async function electionFingerprint(k: ElectionKeys): Promise<string | undefined> {
  const fields = [FINGERPRINT_TAG, k.electionId, k.authorityPublicKey, k.ballotPublicKey, k.logPublicKey];
  if (!fields.every((f) => typeof f === 'string' && isWellFormedText(f))) return undefined;
  return toHex(await sha256(concatBytes(...fields.map((f) => lengthPrefixed(utf8(f))))));
}

/** The fingerprint in groups of four, as the letter prints it. */
export function formatFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * True when `signature` (base64url, 64 bytes) is the election log key's Ed25519 signature over the
 * canonical JSON {type, electionId, ballotHash}. False for anything malformed; never throws.
 */
export async function verifyCastReceipt(logPublicKey: string, electionId: string, ballotHash: string, signature: string): Promise<boolean> {
  const sig = fromBase64url(signature);
  const raw = fromBase64url(logPublicKey);
  if (!sig || sig.length !== 64 || !raw || raw.length !== 32) return false;
  const message = canonicalJsonBytes({ type: CAST_RECEIPT_TYPE, electionId, ballotHash });
  try {
    const key = await crypto.subtle.importKey('raw', bs(raw), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, bs(sig), bs(message));
  } catch {
    return false;
  }
}
