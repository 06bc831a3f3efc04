/**
 * HKDF-SHA256 (RFC 5869) on OpenSSL via node:crypto. Used to turn the X25519 shared secret into
 * the session key, and the ballot KEM secret r into the AES-256-GCM key.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, length). An empty salt means HashLen zeros (RFC 5869 §2.2). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(`HKDF-SHA256 length must be 1..${HKDF_SHA256_MAX_LENGTH}`);
  }
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * The extract step alone (PRK = HMAC-SHA256(salt, ikm)); hkdfSync does not expose it. Kept so
 * the RFC's intermediate PRK values can be checked too.
 */
export function hkdfSha256Extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', salt.length === 0 ? new Uint8Array(32) : salt).update(ikm).digest());
}
