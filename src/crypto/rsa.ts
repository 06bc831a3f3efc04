/**
 * RSA keys and the raw primitives x^e and x^d mod n on OpenSSL (CRT, base blinding). Keys are plain
 * 'rsa' KeyObjects: OpenSSL refuses raw operations with 'rsa-pss' keys.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { bigIntToBytes, bitLength, modInverse, toBase64url } from './bytes.ts';
import { rsaPublicNumbersFromJwk, type RsaPublicNumbers } from './primitives.ts';

// Defined with the platform-neutral primitives (the browser's audit checks ranges the same way).
export { isBelowModulus, isZeroOrOne, type RsaPublicNumbers } from './primitives.ts';

export interface RsaKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function generateRsaKeyPair(modulusBits: 2048 | 3072 | 4096 = 2048): RsaKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: modulusBits, publicExponent: 65537 });
}

function b64(x: bigint): string {
  return toBase64url(bigIntToBytes(x, Math.ceil(bitLength(x) / 8)));
}

/** Builds a CRT private key from its primes (as given by published test vectors). */
export function rsaPrivateKeyFromPrimes(p: bigint, q: bigint, e: bigint, d: bigint): KeyObject {
  const qi = modInverse(q, p);
  if (qi === undefined) throw new RangeError('p and q are not coprime');
  return createPrivateKey({
    format: 'jwk',
    key: { kty: 'RSA', n: b64(p * q), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(qi) },
  });
}

const numbersCache = new WeakMap<KeyObject, RsaPublicNumbers>();
const publicKeyCache = new WeakMap<KeyObject, KeyObject>();

/** The public half of an RSA key (cached: deriving it per call would cost more than the op). */
export function rsaPublicKeyOf(key: KeyObject): KeyObject {
  if (key.type === 'public') return key;
  let pub = publicKeyCache.get(key);
  if (!pub) {
    pub = createPublicKey(key);
    publicKeyCache.set(key, pub);
  }
  return pub;
}

export function rsaPublicNumbers(key: KeyObject): RsaPublicNumbers {
  const cached = numbersCache.get(key);
  if (cached) return cached;
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError("expected an 'rsa' KeyObject");
  const numbers = rsaPublicNumbersFromJwk(rsaPublicKeyOf(key).export({ format: 'jwk' }));
  if (!numbers) throw new TypeError('RSA key export has no n or e');
  numbersCache.set(key, numbers);
  return numbers;
}

/** x^e mod n for x already checked < n (so OpenSSL's own refusal is never an exception path). */
export function rsaRawPublic(key: KeyObject, x: Uint8Array): Uint8Array {
  return viewOf(publicEncrypt({ key: rsaPublicKeyOf(key), padding: constants.RSA_NO_PADDING }, x));
}

/** x^d mod n (RSADP / RSASP1) with CRT and blinding inside OpenSSL; x is kLen bytes, < n. */
export function rsaRawPrivate(privateKey: KeyObject, x: Uint8Array): Uint8Array {
  return viewOf(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, x));
}

// node:crypto gives each result its own backing store (never the Buffer pool): a view is safe to keep and zero.
function viewOf(result: Buffer): Uint8Array {
  return new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
}
