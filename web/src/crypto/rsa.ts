/** RSA public keys as the election publishes them (base64url SPKI DER), read through WebCrypto. */
import { bigIntToBytes, fromBase64url, modPow } from '../../../src/crypto/bytes.ts';
import { rsaPublicNumbersFromJwk, type RsaPublicNumbers } from '../../../src/crypto/primitives.ts';
import { bs, WebCryptoError, type WebKey } from './webcrypto.ts';

export interface RsaPublicKey extends RsaPublicNumbers {
  /** The key imported for RSASSA-PSS-VERIFY with SHA-384 (the blind signature's check). */
  pssVerifyKey: WebKey;
}

/** The modulus sizes the protocol allows (docs/crypto.md): anything else is refused, not used. */
const ALLOWED_BITS = new Set([2048, 3072, 4096]);

/** Imports a base64url SPKI DER RSA key; throws WebCryptoError('INVALID_KEY') naming the key, never its value. */
export async function importRsaPublicKey(spki: string, name = 'public key'): Promise<RsaPublicKey> {
  const der = fromBase64url(spki);
  if (!der) throw new WebCryptoError('INVALID_KEY', `the ${name} is not base64url`);
  let pssVerifyKey: WebKey;
  let jwk: { n?: string; e?: string };
  try {
    pssVerifyKey = await crypto.subtle.importKey('spki', bs(der), { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);
    jwk = await crypto.subtle.exportKey('jwk', pssVerifyKey);
  } catch {
    throw new WebCryptoError('INVALID_KEY', `the ${name} is not an SPKI DER RSA key`);
  }
  const numbers = rsaPublicNumbersFromJwk(jwk);
  if (!numbers) throw new WebCryptoError('INVALID_KEY', `the ${name} has no modulus or exponent`);
  if (!ALLOWED_BITS.has(numbers.modulusBits)) throw new WebCryptoError('INVALID_KEY', `the ${name} is ${numbers.modulusBits} bits (2048, 3072 or 4096 expected)`);
  return { ...numbers, pssVerifyKey };
}

/** x^e mod n as kLen bytes (public operation: no secret exponent, so BigInt square-and-multiply is fine). */
export function rsaRawPublic(key: Pick<RsaPublicKey, 'n' | 'e' | 'modulusBytes'>, x: bigint): Uint8Array {
  return bigIntToBytes(modPow(x, key.e, key.n), key.modulusBytes);
}
