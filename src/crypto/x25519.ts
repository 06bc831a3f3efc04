/**
 * X25519 (RFC 7748) on OpenSSL. Public keys cross the wire as raw 32 bytes, converted here through
 * JWK rather than DER, which is far cheaper (docs/crypto.md).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { concatBytes, fromBase64url, fromHex, toBase64url } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';

export const X25519_KEY_BYTES = 32;

// Fixed DER header of the RFC 8410 PKCS#8 encoding for OID 1.3.101.110 (X25519): the raw key follows.
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');

export interface X25519KeyPair {
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

function rawFromJwkX(x: unknown): Uint8Array {
  const raw = typeof x === 'string' ? fromBase64url(x) : undefined;
  if (!raw || raw.length !== X25519_KEY_BYTES) throw new Error('OpenSSL exported an X25519 key that is not 32 bytes');
  return raw;
}

export function generateX25519KeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } });
  // @types/node has no overload for a JWK public key encoding: the value is a plain JsonWebKey.
  return { privateKey, publicKey: rawFromJwkX((publicKey as unknown as JsonWebKey).x) };
}

/** Imports a raw 32-byte scalar (clamping is applied by OpenSSL when used, per RFC 7748 §5). */
export function x25519PrivateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== X25519_KEY_BYTES) throw new RangeError('X25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, raw)), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKeyFromRaw(raw: Uint8Array): CryptoResult<KeyObject> {
  if (raw.length !== X25519_KEY_BYTES) return fail('INVALID_LENGTH', 'X25519 public key must be 32 bytes');
  return ok(createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64url(raw) }, format: 'jwk' }));
}

export function x25519RawPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return rawFromJwkX(publicKey.export({ format: 'jwk' }).x);
}

/**
 * The 32-byte shared secret X25519(privateKey, peerPublicKey). A small-order peer key makes the
 * result all zero; OpenSSL refuses it and so do we (RFC 7748 §6.1 "MAY check"), as a value.
 * Feed the result to HKDF, never use it directly as a key.
 */
export function x25519SharedSecret(privateKey: KeyObject, peerPublicKey: Uint8Array): CryptoResult<Uint8Array> {
  const peer = x25519PublicKeyFromRaw(peerPublicKey);
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
