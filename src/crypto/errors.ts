/**
 * Crypto failures on untrusted input are values with stable codes (table in docs/crypto.md); messages never hold a secret.
 */
export type CryptoErrorCode =
  | 'INVALID_LENGTH'
  | 'DECRYPTION_FAILED'
  | 'MALFORMED_CIPHERTEXT'
  | 'MALFORMED_MESSAGE'
  | 'UNSUPPORTED_VERSION'
  | 'KEY_MISMATCH'
  | 'INVALID_PUBLIC_KEY'
  | 'MESSAGE_OUT_OF_RANGE'
  | 'SIGNING_FAILED'
  | 'INVALID_SIGNATURE'
  | 'REVEALED_SECRET_MISMATCH'
  | 'NOT_ENOUGH_SHARES'
  | 'COMBINATION_FAILED'
  | 'MALFORMED_THRESHOLD_DATA'
  | 'WRONG_PASSPHRASE'
  | 'WEAK_PASSPHRASE';

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
