/**
 * AES-256-GCM with a 96-bit nonce and a 128-bit tag; every failure is one DECRYPTION_FAILED, with no hint of which.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { fail, ok, type CryptoResult } from './errors.ts';

import { AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES } from './primitives.ts';

export { AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES } from './primitives.ts';

export interface AesGcmSealed {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

/** A fresh random 96-bit nonce. Never reuse a nonce under one key. */
export function randomGcmNonce(): Uint8Array {
  return new Uint8Array(randomBytes(GCM_NONCE_BYTES));
}

function assertKey(key: Uint8Array | KeyObject): void {
  const size = key instanceof Uint8Array ? key.length : key.symmetricKeySize;
  if (size !== AES_256_KEY_BYTES) throw new RangeError('AES-256-GCM key must be 32 bytes');
}

export function aes256GcmEncrypt(
  key: Uint8Array | KeyObject,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): AesGcmSealed {
  assertKey(key);
  if (nonce.length !== GCM_NONCE_BYTES) throw new RangeError('AES-GCM nonce must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext: new Uint8Array(ciphertext), tag: new Uint8Array(cipher.getAuthTag()) };
}

export function aes256GcmDecrypt(
  key: Uint8Array | KeyObject,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): CryptoResult<Uint8Array> {
  assertKey(key);
  if (nonce.length !== GCM_NONCE_BYTES) return fail('INVALID_LENGTH', 'AES-GCM nonce must be 12 bytes');
  // authTagLength pins the tag size: without it OpenSSL would accept a truncated 4-byte tag.
  if (tag.length !== GCM_TAG_BYTES) return fail('INVALID_LENGTH', 'AES-GCM tag must be 16 bytes');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    const rest = decipher.final();
    const plaintext = rest.length === 0 ? head : Buffer.concat([head, rest]);
    return ok(new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength));
  } catch {
// Unauthenticated plaintext is wiped, never returned.
    head.fill(0);
    return fail('DECRYPTION_FAILED', 'AES-GCM authentication failed');
  }
}
