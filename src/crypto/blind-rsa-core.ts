/**
 * The client side of RFC 9474 RSABSSA-SHA384-PSS-Randomized over a key's public numbers and its raw
 * public operation, with no Node built-in: blind-rsa.ts runs it on node:crypto, the booth
 * (web/src/crypto/blind-rsa.ts) on WebCrypto and BigInt. Flow in docs/crypto.md.
 */
import { bigIntToBytes, bytesToBigInt, concatBytes, gcd, modInverse, randomBigIntInRange, randomBytes } from './bytes.ts';
import { emsaPssEncodeSha384Steps, SHA384_BYTES, type HashSteps } from './emsa-pss-core.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { RSABSSA_PREFIX_BYTES, type RsaPublicNumbers } from './primitives.ts';

export { RSABSSA_PREFIX_BYTES } from './primitives.ts';
export const RSABSSA_SALT_BYTES = SHA384_BYTES;

/** What blinding needs of a key: its numbers, and x^e mod n for x of kLen bytes below n. */
export interface BlindingKey {
  numbers: Pick<RsaPublicNumbers, 'n' | 'modulusBits' | 'modulusBytes'>;
  rawPublic(x: Uint8Array): Uint8Array;
}

/** RFC 9474 §4.1: a random prefix. The prepared message (prefix included) is what is blinded and verified: keep it. */
export function prepare(message: Uint8Array, prefix: Uint8Array = randomBytes(RSABSSA_PREFIX_BYTES)): Uint8Array {
  if (prefix.length !== RSABSSA_PREFIX_BYTES) throw new RangeError('message prefix must be 32 bytes');
  return concatBytes(prefix, message);
}

export interface BlindingResult {
  blindedMessage: Uint8Array;
  /** r^-1 mod n: the client's secret for finalize. Never sent, never logged, never stored. */
  inv: Uint8Array;
}

/** Injected randomness, for known-answer tests only: production callers (the booth too) pass nothing. */
export interface BlindRandomness {
  salt?: Uint8Array;
  r?: bigint;
}

/** RFC 9474 §4.2, as hash steps (emsa-pss-core.ts): the RFC's errors are failures, a bad injected value throws. */
export function* blindSteps(key: BlindingKey, preparedMessage: Uint8Array, randomness: BlindRandomness = {}): HashSteps<CryptoResult<BlindingResult>> {
  const { n, modulusBits, modulusBytes } = key.numbers;
  const salt = randomness.salt ?? randomBytes(RSABSSA_SALT_BYTES);
  if (salt.length !== RSABSSA_SALT_BYTES) throw new RangeError('PSS salt must be 48 bytes');
  const encoded = yield* emsaPssEncodeSha384Steps(preparedMessage, modulusBits - 1, salt);
  if (!encoded) return fail('INVALID_LENGTH', 'RSA modulus too small for SHA-384 PSS encoding');
  const m = bytesToBigInt(encoded);
  if (gcd(m, n) !== 1n) return fail('MESSAGE_OUT_OF_RANGE', 'encoded message is not coprime with n');
  const r = randomness.r ?? randomBigIntInRange(1n, n);
  if (r < 1n || r >= n) throw new RangeError('blinding factor must be in [1, n-1]');
  const rInv = modInverse(r, n);
  if (rInv === undefined) return fail('MESSAGE_OUT_OF_RANGE', 'blinding factor is not invertible mod n');
  const x = bytesToBigInt(key.rawPublic(bigIntToBytes(r, modulusBytes)));
  return ok({
    blindedMessage: bigIntToBytes((m * x) % n, modulusBytes),
    inv: bigIntToBytes(rInv, modulusBytes),
  });
}

/** RFC 9474 §4.4 before the check: s = z · inv mod n. The caller must verify s before using it. */
export function unblind(numbers: Pick<RsaPublicNumbers, 'n' | 'modulusBytes'>, blindSignature: Uint8Array, inv: Uint8Array): CryptoResult<Uint8Array> {
  const { n, modulusBytes } = numbers;
  if (blindSignature.length !== modulusBytes || inv.length !== modulusBytes) {
    return fail('INVALID_LENGTH', `blind signature and inverse must be ${modulusBytes} bytes`);
  }
  return ok(bigIntToBytes((bytesToBigInt(blindSignature) * bytesToBigInt(inv)) % n, modulusBytes));
}
