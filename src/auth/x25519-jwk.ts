/**
 * X25519 with raw keys converted through JWK instead of DER. Same OpenSSL key agreement as
 * src/crypto/x25519.ts, same results (test/auth/x25519-jwk.test.ts checks both against each
 * other and against @noble/curves), but node's DER import/export of an X25519 key costs ~100 µs
 * each while its JWK import/export costs ~1-8 µs: measured, the DER conversions were the largest
 * single cost of a login (a third of the gateway's CPU). Every login converts twice per side.
 * Belongs in src/crypto/x25519.ts; kept here until that module adopts it.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { fail, ok, type CryptoResult } from '../crypto/errors.ts';
import { X25519_KEY_BYTES, type X25519KeyPair } from '../crypto/x25519.ts';

export function x25519PublicKeyFromRawJwk(raw: Uint8Array): CryptoResult<KeyObject> {
  if (raw.length !== X25519_KEY_BYTES) return fail('INVALID_LENGTH', 'X25519 public key must be 32 bytes');
  return ok(createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64url(raw) }, format: 'jwk' }));
}

export function x25519RawPublicKeyJwk(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const x = fromBase64url(String(publicKey.export({ format: 'jwk' }).x));
  if (!x || x.length !== X25519_KEY_BYTES) throw new Error('OpenSSL exported an X25519 key that is not 32 bytes');
  return x;
}

export function generateX25519KeyPairJwk(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey: x25519RawPublicKeyJwk(publicKey) };
}

/** As x25519SharedSecret: a small-order peer key (all-zero secret, RFC 7748 §6.1) is INVALID_PUBLIC_KEY. */
export function x25519SharedSecretJwk(privateKey: KeyObject, peerPublicKey: Uint8Array): CryptoResult<Uint8Array> {
  const peer = x25519PublicKeyFromRawJwk(peerPublicKey);
  if (!peer.ok) return peer;
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey: peer.value });
  } catch {
    return fail('INVALID_PUBLIC_KEY', 'X25519 peer public key is of small order');
  }
  if (secret.every((b) => b === 0)) return fail('INVALID_PUBLIC_KEY', 'X25519 peer public key is of small order');
  return ok(new Uint8Array(secret));
}
