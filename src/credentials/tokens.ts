/**
 * N1 and N2: 128 random bits each, unpadded base64url. The server stores only hashToken(t), the
 * SHA-256 of the decoded bytes (not the text), so any encoding of them gives the same hash.
 */
import { hash } from 'node:crypto';
import { toBase64url } from '../crypto/bytes.ts';
import { decodeToken, TOKEN_BYTES } from './credential-fields.ts';
import { secureRandom, type RandomBytes } from './random.ts';

export { decodeToken, isToken, TOKEN_BYTES, TOKEN_LENGTH } from './credential-fields.ts';

export function newToken(random: RandomBytes = secureRandom): string {
  return toBase64url(random(TOKEN_BYTES));
}

export function issueTokens(random: RandomBytes = secureRandom): { n1: string; n2: string } {
  return { n1: newToken(random), n2: newToken(random) };
}

/** Hex SHA-256 of the token's decoded bytes; undefined for a malformed token (untrusted input). */
export function hashToken(token: unknown): string | undefined {
  const bytes = decodeToken(token);
  // One-shot: a Hash object costs more than hashing 16 bytes (every ballot of a tally and an audit).
  return bytes ? hash('sha256', bytes, 'hex') : undefined;
}
