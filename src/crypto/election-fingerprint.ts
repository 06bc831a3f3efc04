/**
 * The election fingerprint over its id and three public keys (layout in docs/audit.md).
 */
import { createHash } from 'node:crypto';
import { fail, ok, type CryptoResult } from './errors.ts';
import { isWellFormedText } from './bytes.ts';

export const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';

export interface ElectionKeysForFingerprint {
  electionId: string;
  authorityPublicKey: string;
  ballotPublicKey: string;
  logPublicKey: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function electionFingerprint(k: ElectionKeysForFingerprint): CryptoResult<string> {
  const fields = [FINGERPRINT_TAG, k.electionId, k.authorityPublicKey, k.ballotPublicKey, k.logPublicKey];
  const hash = createHash('sha256');
  for (const text of fields) {
    if (typeof text !== 'string' || !isWellFormedText(text)) return fail('MALFORMED_MESSAGE', 'an election id or key is not a well-formed string');
    const bytes = Buffer.from(text, 'utf8');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(bytes.length);
    hash.update(prefix).update(bytes);
  }
  return ok(hash.digest('hex'));
}

export function formatFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/** A typed-in fingerprint (any case; spaces, colons and dashes ignored) as 64 hex digits, or undefined. */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:-]/g, '').toLowerCase();
  return HEX64.test(hex) ? hex : undefined;
}
