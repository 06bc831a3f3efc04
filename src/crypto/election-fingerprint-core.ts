/**
 * The election fingerprint over its id and three public keys (layout in docs/audit.md), over any
 * platform's SHA-256: election-fingerprint.ts binds node:crypto's, the browser's audit @noble's.
 */
import { fail, ok, type CryptoResult } from './errors.ts';
import { concatBytes, isWellFormedText, lengthPrefixed, toHex, utf8 } from './bytes.ts';

export const FINGERPRINT_TAG = 'evote/election-fingerprint/v1';

export interface ElectionKeysForFingerprint {
  electionId: string;
  authorityPublicKey: string;
  ballotPublicKey: string;
  logPublicKey: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** What is hashed: each field's 4-byte big-endian length and UTF-8 bytes (the booth hashes it with WebCrypto). */
export function electionFingerprintInput(k: ElectionKeysForFingerprint): CryptoResult<Uint8Array> {
  const fields = [FINGERPRINT_TAG, k.electionId, k.authorityPublicKey, k.ballotPublicKey, k.logPublicKey];
  if (!fields.every((text) => typeof text === 'string' && isWellFormedText(text))) return fail('MALFORMED_MESSAGE', 'an election id or key is not a well-formed string');
  return ok(concatBytes(...fields.map((text) => lengthPrefixed(utf8(text)))));
}

/** Lowercase hex SHA-256 of electionFingerprintInput. */
export function electionFingerprintWith(sha256: (data: Uint8Array) => Uint8Array, k: ElectionKeysForFingerprint): CryptoResult<string> {
  const input = electionFingerprintInput(k);
  return input.ok ? ok(toHex(sha256(input.value))) : input;
}

export function formatFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/** A typed-in fingerprint (any case; spaces, colons and dashes ignored) as 64 hex digits, or undefined. */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:-]/g, '').toLowerCase();
  return HEX64.test(hex) ? hex : undefined;
}
