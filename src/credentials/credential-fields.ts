/**
 * The spellings of a credential's secrets (docs/credentials.md), with no Node built-in: the booth
 * checks a letter's fields with the same rules as the server (tokens.ts and secret-code.ts re-export these).
 */
import { fromBase64url } from '../crypto/bytes.ts';
import { GCM_TAG_BYTES } from '../crypto/primitives.ts';

/** N1 and N2: 128 random bits each, unpadded base64url. */
export const TOKEN_BYTES = 16;
export const TOKEN_LENGTH = 22;

export const SECRET_MESSAGE_BYTES = 32;
/** The secret code is AES-256-GCM ciphertext ‖ tag of the 32-byte message. */
export const SECRET_CODE_BYTES = SECRET_MESSAGE_BYTES + GCM_TAG_BYTES;
/** base64url without padding of 48 bytes. */
export const SECRET_CODE_LENGTH = 64;

/** The 16 bytes of a well-formed token (canonical base64url, exactly 22 characters), else undefined. */
export function decodeToken(token: unknown): Uint8Array | undefined {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH) return undefined;
  const bytes = fromBase64url(token);
  return bytes?.length === TOKEN_BYTES ? bytes : undefined;
}

export function isToken(token: unknown): token is string {
  return decodeToken(token) !== undefined;
}

/** True for a well-formed secret code: canonical base64url of exactly 48 bytes. */
export function isSecretCode(s: string): boolean {
  return s.length === SECRET_CODE_LENGTH && fromBase64url(s)?.length === SECRET_CODE_BYTES;
}
