/**
 * RSA blind signatures, RFC 9474 RSABSSA-SHA384-PSS-Randomized (flow in docs/crypto.md); the server side runs on OpenSSL.
 */
import { constants, randomBytes, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt, concatBytes, gcd, modInverse, randomBigIntInRange } from './bytes.ts';
import { emsaPssEncodeSha384, SHA384_BYTES } from './emsa-pss.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { rsaPublicNumbers, rsaRawPrivate, rsaRawPublic } from './rsa.ts';

import { RSABSSA_PREFIX_BYTES } from './primitives.ts';

export { RSABSSA_PREFIX_BYTES } from './primitives.ts';
export const RSABSSA_SALT_BYTES = SHA384_BYTES;

/** RFC 9474 §4.1: a random prefix. The prepared message (prefix included) is what is blinded and verified: keep it. */
export function prepare(message: Uint8Array, prefix: Uint8Array = new Uint8Array(randomBytes(RSABSSA_PREFIX_BYTES))): Uint8Array {
  if (prefix.length !== RSABSSA_PREFIX_BYTES) throw new RangeError('message prefix must be 32 bytes');
  return concatBytes(prefix, message);
}

export interface BlindingResult {
  blindedMessage: Uint8Array;
  /** r^-1 mod n: the client's secret for finalize. Never sent, never logged. */
  inv: Uint8Array;
}

/** Injected randomness, for known-answer tests only: production callers pass nothing. */
export interface BlindRandomness {
  salt?: Uint8Array;
  r?: bigint;
}

export function blind(publicKey: KeyObject, preparedMessage: Uint8Array, randomness: BlindRandomness = {}): CryptoResult<BlindingResult> {
  const { n, modulusBits, modulusBytes } = rsaPublicNumbers(publicKey);
  const salt = randomness.salt ?? new Uint8Array(randomBytes(RSABSSA_SALT_BYTES));
  if (salt.length !== RSABSSA_SALT_BYTES) throw new RangeError('PSS salt must be 48 bytes');
  const encoded = emsaPssEncodeSha384(preparedMessage, modulusBits - 1, salt);
  if (!encoded) return fail('INVALID_LENGTH', 'RSA modulus too small for SHA-384 PSS encoding');
  const m = bytesToBigInt(encoded);
  if (gcd(m, n) !== 1n) return fail('MESSAGE_OUT_OF_RANGE', 'encoded message is not coprime with n');
  const r = randomness.r ?? randomBigIntInRange(1n, n);
  if (r < 1n || r >= n) throw new RangeError('blinding factor must be in [1, n-1]');
  const rInv = modInverse(r, n);
  if (rInv === undefined) return fail('MESSAGE_OUT_OF_RANGE', 'blinding factor is not invertible mod n');
  const x = bytesToBigInt(rsaRawPublic(publicKey, bigIntToBytes(r, modulusBytes)));
  return ok({
    blindedMessage: bigIntToBytes((m * x) % n, modulusBytes),
    inv: bigIntToBytes(rInv, modulusBytes),
  });
}

/** RFC 9474 §4.3: s = m^d mod n, checked s^e = m before it leaves, so a CRT fault never hands out a factor of n. */
export function blindSign(privateKey: KeyObject, blindedMessage: Uint8Array): CryptoResult<Uint8Array> {
  const { n, modulusBytes } = rsaPublicNumbers(privateKey);
  if (blindedMessage.length !== modulusBytes) return fail('INVALID_LENGTH', `blinded message must be ${modulusBytes} bytes`);
  if (bytesToBigInt(blindedMessage) >= n) return fail('MESSAGE_OUT_OF_RANGE', 'blinded message is not below the modulus');
  let s: Uint8Array;
  let check: Uint8Array;
  try {
    s = rsaRawPrivate(privateKey, blindedMessage);
    check = rsaRawPublic(privateKey, s);
  } catch {
    return fail('SIGNING_FAILED', 'RSA private operation failed');
  }
  if (!Buffer.from(check).equals(Buffer.from(blindedMessage))) return fail('SIGNING_FAILED', 'RSA signature self-check failed');
  return ok(s);
}

/** Client side (RFC 9474 §4.4): unblind and verify; an invalid result is refused, not returned. */
export function finalize(publicKey: KeyObject, preparedMessage: Uint8Array, blindSignature: Uint8Array, inv: Uint8Array): CryptoResult<Uint8Array> {
  const { n, modulusBytes } = rsaPublicNumbers(publicKey);
  if (blindSignature.length !== modulusBytes || inv.length !== modulusBytes) {
    return fail('INVALID_LENGTH', `blind signature and inverse must be ${modulusBytes} bytes`);
  }
  const signature = bigIntToBytes((bytesToBigInt(blindSignature) * bytesToBigInt(inv)) % n, modulusBytes);
  if (!verify(publicKey, preparedMessage, signature)) return fail('INVALID_SIGNATURE', 'unblinded signature does not verify');
  return ok(signature);
}

/** RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and an exact 48-byte salt, by OpenSSL. */
export function verify(publicKey: KeyObject, preparedMessage: Uint8Array, signature: Uint8Array): boolean {
  try {
    return nodeVerify(
      'sha384',
      preparedMessage,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES },
      signature,
    );
  } catch {
    return false;
  }
}
