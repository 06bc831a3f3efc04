/**
 * N1 and N2: 128 random bits each, unpadded base64url. The server stores only hashToken(t), the
 * SHA-256 of the decoded bytes (not the text), so any encoding of them gives the same hash.
 */
import { hash } from 'node:crypto';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { secureRandom, type RandomBytes } from './random.ts';

export const TOKEN_BYTES = 16;
export const TOKEN_LENGTH = 22;

export function newToken(random: RandomBytes = secureRandom): string {
  return toBase64url(random(TOKEN_BYTES));
}

export function issueTokens(random: RandomBytes = secureRandom): { n1: string; n2: string } {
  return { n1: newToken(random), n2: newToken(random) };
}

/** The 16 bytes of a well-formed token (canonical base64url, exactly 22 characters), else undefined. */
export function decodeToken(token: unknown): Uint8Array | undefined {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH) return undefined;
  const bytes = fromBase64url(token);
  return bytes?.length === TOKEN_BYTES ? bytes : undefined;
}

export function isToken(token: unknown): token is string {
  return decodeToken(token) !== undefined;
}

/** Hex SHA-256 of the token's decoded bytes; undefined for a malformed token (untrusted input). */
export function hashToken(token: unknown): string | undefined {
  const bytes = decodeToken(token);
  // One-shot: a Hash object costs more than hashing 16 bytes (every ballot of a tally and an audit).
  return bytes ? hash('sha256', bytes, 'hex') : undefined;
}
