/**
 * RSA blind signatures, RFC 9474 RSABSSA-SHA384-PSS-Randomized (flow in docs/crypto.md); the server side runs on OpenSSL.
 */
import { constants, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { bytesToBigInt } from './bytes.ts';
import { blindSteps, RSABSSA_SALT_BYTES, unblind, type BlindingResult, type BlindRandomness } from './blind-rsa-core.ts';
import { runHashSteps } from './emsa-pss-core.ts';
import { sha384 } from './emsa-pss.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { rsaPublicNumbers, rsaRawPrivate, rsaRawPublic } from './rsa.ts';

export { prepare, RSABSSA_PREFIX_BYTES, RSABSSA_SALT_BYTES, type BlindingResult, type BlindRandomness } from './blind-rsa-core.ts';

/** RFC 9474 §4.2 on node:crypto (the steps are blind-rsa-core.ts's, shared with the booth). */
export function blind(publicKey: KeyObject, preparedMessage: Uint8Array, randomness: BlindRandomness = {}): CryptoResult<BlindingResult> {
  const key = { numbers: rsaPublicNumbers(publicKey), rawPublic: (x: Uint8Array) => rsaRawPublic(publicKey, x) };
  return runHashSteps(blindSteps(key, preparedMessage, randomness), sha384);
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
  const signature = unblind(rsaPublicNumbers(publicKey), blindSignature, inv);
  if (!signature.ok) return signature;
  if (!verify(publicKey, preparedMessage, signature.value)) return fail('INVALID_SIGNATURE', 'unblinded signature does not verify');
  return signature;
}

/** RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and an exact 48-byte salt, by OpenSSL. */
export function verify(publicKey: KeyObject, preparedMessage: Uint8Array, signature: Uint8Array): boolean {
  // RFC 8017 §8.1.2 step 1: exactly k bytes. OpenSSL also takes a shorter one (a leading zero byte
  // dropped), which would give one signature two spellings.
  if (signature.length !== Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8)) return false;
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
