/**
 * Crypto failures on untrusted input are values with stable codes, like DomainError: a tampered
 * ciphertext or a bad signature is an expected outcome, not an exception. Messages name what
 * failed, never the secret involved (no key, plaintext, r or nonce ever enters a message).
 * Programmer errors (a 31-byte AES key, an HKDF length over 8160) still throw RangeError.
 */
export type CryptoErrorCode =
  /** An input has the wrong byte length (nonce, tag, key share, blinded message...). */
  | 'INVALID_LENGTH'
  /** AES-GCM authentication failed: wrong key, wrong AAD or tampered bytes. */
  | 'DECRYPTION_FAILED'
  /** A ballot ciphertext or ballot message does not parse. */
  | 'MALFORMED_CIPHERTEXT'
  | 'MALFORMED_MESSAGE'
  /** A ciphertext names an encoding version this code does not know. */
  | 'UNSUPPORTED_VERSION'
  /** The ciphertext was made for a key with another modulus size. */
  | 'KEY_MISMATCH'
  /** An X25519 public key is of small order (the shared secret would be all zero). */
  | 'INVALID_PUBLIC_KEY'
  /** An integer representative is not in [0, n-1] (or, for blinding, shares a factor with n). */
  | 'MESSAGE_OUT_OF_RANGE'
  /** The RSA private operation gave s with s^e mod n != m (a fault; the signature is withheld). */
  | 'SIGNING_FAILED'
  /** An (unblinded) RSA-PSS signature does not verify. */
  | 'INVALID_SIGNATURE'
  /** A revealed KEM secret r does not satisfy r^e mod n = c0. */
  | 'REVEALED_SECRET_MISMATCH';

export interface CryptoError {
  readonly kind: 'CryptoError';
  readonly code: CryptoErrorCode;
  readonly message: string;
}

export type CryptoResult<T> = { ok: true; value: T } | { ok: false; error: CryptoError };

export function cryptoError(code: CryptoErrorCode, message: string): CryptoError {
  return { kind: 'CryptoError', code, message };
}

export function ok<T>(value: T): CryptoResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: CryptoErrorCode, message: string): CryptoResult<T> {
  return { ok: false, error: cryptoError(code, message) };
}

export function isCryptoError(x: unknown): x is CryptoError {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'CryptoError';
}
