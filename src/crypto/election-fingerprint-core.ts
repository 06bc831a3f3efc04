/**
 * The election fingerprint over its id and three public keys (layout in docs/audit.md), over any
 * platform's SHA-256: election-fingerprint.ts binds node:crypto's, the browser's audit @noble's.
 */
import { fail, ok, type CryptoResult } from './errors.ts';
import { concatBytes, isWellFormedText, toHex, utf8 } from './bytes.ts';

export const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';

export interface ElectionKeysForFingerprint {
  electionId: string;
  authorityPublicKey: string;
  ballotPublicKey: string;
  logPublicKey: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** SHA-256 over each field's 4-byte big-endian length and UTF-8 bytes. */
export function electionFingerprintWith(sha256: (data: Uint8Array) => Uint8Array, k: ElectionKeysForFingerprint): CryptoResult<string> {
  const fields = [FINGERPRINT_TAG, k.electionId, k.authorityPublicKey, k.ballotPublicKey, k.logPublicKey];
  const parts: Uint8Array[] = [];
  for (const text of fields) {
    if (typeof text !== 'string' || !isWellFormedText(text)) return fail('MALFORMED_MESSAGE', 'an election id or key is not a well-formed string');
    const bytes = utf8(text);
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, bytes.length);
    parts.push(prefix, bytes);
  }
  return ok(toHex(sha256(concatBytes(...parts))));
}

export function formatFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/** A typed-in fingerprint (any case; spaces, colons and dashes ignored) as 64 hex digits, or undefined. */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:-]/g, '').toLowerCase();
  return HEX64.test(hex) ? hex : undefined;
}
