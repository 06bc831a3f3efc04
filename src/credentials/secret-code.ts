/**
 * The secret code: AES-256-GCM ciphertext‖tag of a random 32-byte message (docs/credentials.md).
 * A code is verified by decrypting it and comparing the message in constant time.
 */
import { aes256GcmDecrypt, aes256GcmEncrypt, AES_256_KEY_BYTES, GCM_NONCE_BYTES } from '../crypto/aes-gcm.ts';
import { concatBytes, fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { constantTimeEqual } from '../crypto/hmac.ts';
import { secureRandom, type RandomBytes } from './random.ts';
import { SECRET_CODE_BYTES, SECRET_CODE_LENGTH, SECRET_MESSAGE_BYTES } from './credential-fields.ts';

export { SECRET_CODE_BYTES, SECRET_CODE_LENGTH, SECRET_MESSAGE_BYTES } from './credential-fields.ts';
/** message (32) ‖ key (32) ‖ nonce (12). */
export const STORED_SECRET_CODE_BYTES = SECRET_MESSAGE_BYTES + AES_256_KEY_BYTES + GCM_NONCE_BYTES;

export interface IssuedSecretCode {
  /** Goes to the voter (letter, QR, e-mail) and nowhere else. */
  secretCode: string;
  /** Goes to the key store under `credential/<eid>/<vid>`. */
  stored: Uint8Array;
}

export function issueSecretCode(random: RandomBytes = secureRandom): IssuedSecretCode {
  const message = random(SECRET_MESSAGE_BYTES);
  const key = random(AES_256_KEY_BYTES);
  const nonce = random(GCM_NONCE_BYTES);
  const { ciphertext, tag } = aes256GcmEncrypt(key, nonce, message);
  return { secretCode: toBase64url(concatBytes(ciphertext, tag)), stored: concatBytes(message, key, nonce) };
}

/** True only for the code issued with `stored`. Malformed input of any kind is false, never a throw. */
export function verifySecretCode(stored: Uint8Array, presented: unknown): boolean {
  try {
    if (!(stored instanceof Uint8Array) || stored.length !== STORED_SECRET_CODE_BYTES) return false;
    if (typeof presented !== 'string' || presented.length !== SECRET_CODE_LENGTH) return false;
    const code = fromBase64url(presented);
    if (!code || code.length !== SECRET_CODE_BYTES) return false;
    const message = stored.subarray(0, SECRET_MESSAGE_BYTES);
    const key = stored.subarray(SECRET_MESSAGE_BYTES, SECRET_MESSAGE_BYTES + AES_256_KEY_BYTES);
    const nonce = stored.subarray(SECRET_MESSAGE_BYTES + AES_256_KEY_BYTES);
    const r = aes256GcmDecrypt(key, nonce, code.subarray(0, SECRET_MESSAGE_BYTES), code.subarray(SECRET_MESSAGE_BYTES));
    return r.ok && constantTimeEqual(r.value, message);
  } catch {
    return false;
  }
}
