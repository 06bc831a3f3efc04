/**
 * The client side of RFC 9474 RSABSSA-SHA384-PSS-Randomized over WebCrypto and BigInt, byte for
 * byte as src/crypto/blind-rsa.ts and src/crypto/emsa-pss.ts: prepare, blind, finalize (which verifies).
 */
import { bigIntToBytes, bytesToBigInt, concatBytes, gcd, modInverse, randomBigIntInRange, randomBytes } from '../../../src/crypto/bytes.ts';
import { bs, sha384, WebCryptoError } from './webcrypto.ts';
import { rsaRawPublic, type RsaPublicKey } from './rsa.ts';

export const RSABSSA_PREFIX_BYTES = 32;
export const SHA384_BYTES = 48;
export const RSABSSA_SALT_BYTES = SHA384_BYTES;

/** RFC 9474 §4.1: a random 32-byte prefix ‖ message. The result is what is blinded and verified: keep it. */
export function prepare(message: Uint8Array, prefix: Uint8Array = randomBytes(RSABSSA_PREFIX_BYTES)): Uint8Array {
  if (prefix.length !== RSABSSA_PREFIX_BYTES) throw new RangeError('message prefix must be 32 bytes');
  return concatBytes(prefix, message);
}

export async function mgf1Sha384(seed: Uint8Array, maskLength: number): Promise<Uint8Array> {
  const blocks = Math.ceil(maskLength / SHA384_BYTES);
  const parts = await Promise.all(
    Array.from({ length: blocks }, (_, i) => {
      const counter = new Uint8Array(4);
      new DataView(counter.buffer).setUint32(0, i);
      return sha384(concatBytes(seed, counter));
    }),
  );
  return concatBytes(...parts).subarray(0, maskLength);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, for emBits = modBits - 1; undefined on "encoding error". */
export async function emsaPssEncodeSha384(message: Uint8Array, emBits: number, salt: Uint8Array): Promise<Uint8Array | undefined> {
  const emLen = Math.ceil(emBits / 8);
  if (emLen < SHA384_BYTES + salt.length + 2) return undefined;
  const mHash = await sha384(message);
  const h = await sha384(concatBytes(new Uint8Array(8), mHash, salt));
  const db = concatBytes(new Uint8Array(emLen - salt.length - SHA384_BYTES - 2), Uint8Array.of(0x01), salt);
  const mask = await mgf1Sha384(h, emLen - SHA384_BYTES - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

export interface BlindingResult {
  blindedMessage: Uint8Array;
  /** r^-1 mod n: the secret finalize needs. Never sent, never logged, never stored. */
  inv: Uint8Array;
}

/** Injected randomness, for known-answer tests only: the booth passes nothing. */
export interface BlindRandomness {
  salt?: Uint8Array;
  r?: bigint;
}

/** RFC 9474 §4.2. Throws WebCryptoError('BLINDING_FAILED') in the cases the RFC calls errors. */
export async function blind(key: RsaPublicKey, preparedMessage: Uint8Array, randomness: BlindRandomness = {}): Promise<BlindingResult> {
  const { n, modulusBits, modulusBytes } = key;
  const salt = randomness.salt ?? randomBytes(RSABSSA_SALT_BYTES);
  if (salt.length !== RSABSSA_SALT_BYTES) throw new RangeError('PSS salt must be 48 bytes');
  const encoded = await emsaPssEncodeSha384(preparedMessage, modulusBits - 1, salt);
  if (!encoded) throw new WebCryptoError('BLINDING_FAILED', 'RSA modulus too small for SHA-384 PSS encoding');
  const m = bytesToBigInt(encoded);
  if (gcd(m, n) !== 1n) throw new WebCryptoError('BLINDING_FAILED', 'encoded message is not coprime with n');
  const r = randomness.r ?? randomBigIntInRange(1n, n);
  if (r < 1n || r >= n) throw new RangeError('blinding factor must be in [1, n-1]');
  const rInv = modInverse(r, n);
  if (rInv === undefined) throw new WebCryptoError('BLINDING_FAILED', 'blinding factor is not invertible mod n');
  const x = bytesToBigInt(rsaRawPublic(key, r));
  return { blindedMessage: bigIntToBytes((m * x) % n, modulusBytes), inv: bigIntToBytes(rInv, modulusBytes) };
}

/** RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and a 48-byte salt, by WebCrypto. */
export async function verify(key: RsaPublicKey, preparedMessage: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: RSABSSA_SALT_BYTES }, key.pssVerifyKey, bs(signature), bs(preparedMessage));
  } catch {
    return false;
  }
}

/**
 * RFC 9474 §4.4: unblind and verify. A signature that does not verify is refused
 * (WebCryptoError('INVALID_SIGNATURE')), never returned: it would be encrypted and cast for nothing.
 */
export async function finalize(key: RsaPublicKey, preparedMessage: Uint8Array, blindSignature: Uint8Array, inv: Uint8Array): Promise<Uint8Array> {
  const { n, modulusBytes } = key;
  if (blindSignature.length !== modulusBytes || inv.length !== modulusBytes) {
    throw new WebCryptoError('INVALID_SIGNATURE', `blind signature and inverse must be ${modulusBytes} bytes`);
  }
  const signature = bigIntToBytes((bytesToBigInt(blindSignature) * bytesToBigInt(inv)) % n, modulusBytes);
  if (!(await verify(key, preparedMessage, signature))) throw new WebCryptoError('INVALID_SIGNATURE', 'the unblinded signature does not verify');
  return signature;
}
