/**
 * What the booth checks about an election, on WebCrypto: its fingerprint (the bytes of
 * src/crypto/election-fingerprint-core.ts, layout in docs/audit.md) and the log key's Ed25519
 * signature on a cast receipt (the message of src/crypto/cast-receipt-core.ts).
 */
import { fromBase64url, toHex } from '../../../src/crypto/bytes.ts';
import { castReceiptMessage } from '../../../src/crypto/cast-receipt-core.ts';
import { electionFingerprintInput, type BallotRulesForFingerprint, type ElectionKeysForFingerprint, type TrusteesForFingerprint } from '../../../src/crypto/election-fingerprint-core.ts';
import { bs, sha256 } from './webcrypto.ts';

export { formatFingerprint } from '../../../src/crypto/election-fingerprint-core.ts';

/** What election.get publishes beyond the keys that the fingerprint (versions 2 and 3) covers. */
export interface PublishedPins {
  trustees?: TrusteesForFingerprint | null;
  witnesses?: string[];
  ballot?: BallotRulesForFingerprint | null;
  /** A weighted election's classes (version 4). */
  weightClasses?: { weight: number; authorityPublicKey: string }[] | null;
}

/** The pins of an election.get row, as the fingerprint takes them (absent in rows of older servers: version 1). */
export const pinsOf = (row: PublishedPins) => ({ trustees: row.trustees ?? null, witnesses: row.witnesses ?? [], ballot: row.ballot ?? null, weightClasses: row.weightClasses ?? null });

/** 64 lowercase hex digits over the id, the three published keys and the pins; undefined for a malformed string. */
export async function electionFingerprint(k: ElectionKeysForFingerprint): Promise<string | undefined> {
  const input = electionFingerprintInput(k);
  return input.ok ? toHex(await sha256(input.value)) : undefined;
}

/**
 * True when `signature` (base64url, 64 bytes) is the election log key's Ed25519 signature over the
 * canonical JSON {type, electionId, ballotHash}. False for anything malformed; never throws.
 */
export async function verifyCastReceipt(logPublicKey: string, electionId: string, ballotHash: string, signature: string): Promise<boolean> {
  const sig = fromBase64url(signature);
  const raw = fromBase64url(logPublicKey);
  if (!sig || sig.length !== 64 || !raw || raw.length !== 32) return false;
  const message = castReceiptMessage(electionId, ballotHash);
  try {
    const key = await crypto.subtle.importKey('raw', bs(raw), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, bs(sig), bs(message));
  } catch {
    return false;
  }
}
