/**
 * Level 3's shared key and proof, and level 2's client proof, as both sides compute them
 * (formulas in docs/auth.md). Length prefixes keep ("ab","c") and ("a","bc") apart.
 */
import { concatBytes, utf8 } from '../crypto/bytes.ts';
import { hkdfSha256 } from '../crypto/hkdf.ts';
import { hmacSha256 } from '../crypto/hmac.ts';

export const SESSION_INFO_LABEL = 'evote/session/v1';
export const SESSION_KEY_BYTES = 32;
export const SESSION_NONCE_BYTES = 32;

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8(text);
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, bytes.length);
  return concatBytes(prefix, bytes);
}

export function sessionInfo(voterId: string, clientId: string): Uint8Array {
  return concatBytes(utf8(SESSION_INFO_LABEL), lengthPrefixed(voterId), lengthPrefixed(clientId));
}

/** `x25519Secret` must come from x25519SharedSecret (already refused when all zero). */
export function deriveSessionKey(x25519Secret: Uint8Array, nonce: Uint8Array, voterId: string, clientId: string): Uint8Array {
  return hkdfSha256(x25519Secret, nonce, sessionInfo(voterId, clientId), SESSION_KEY_BYTES);
}

export function sessionProof(sharedKey: Uint8Array, voterId: string): Uint8Array {
  return hmacSha256(sharedKey, voterId);
}

/** Level 2: the client application's proof that it holds its key, bound to the voter. */
export function clientProof(clientKey: Uint8Array, voterId: string): Uint8Array {
  return hmacSha256(clientKey, voterId);
}
