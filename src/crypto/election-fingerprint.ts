/**
 * The election fingerprint (election-fingerprint-core.ts) over node:crypto's SHA-256.
 */
import { createHash } from 'node:crypto';
import type { CryptoResult } from './errors.ts';
import { electionFingerprintWith, type ElectionKeysForFingerprint } from './election-fingerprint-core.ts';

export { FINGERPRINT_TAG, FINGERPRINT_TAG_V2, FINGERPRINT_TAG_V3, FINGERPRINT_TAG_V4, fingerprintVersion, formatFingerprint, parseFingerprint, type BallotRulesForFingerprint, type ElectionKeysForFingerprint, type TrusteesForFingerprint } from './election-fingerprint-core.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

export function electionFingerprint(k: ElectionKeysForFingerprint): CryptoResult<string> {
  return electionFingerprintWith(sha256, k);
}
