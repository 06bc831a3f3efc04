/**
 * The client's proofs of the three-level login, as src/client/client-login.ts and
 * src/auth/session-key.ts compute them (formulas in docs/auth.md): level 2's HMAC-SHA256 over the
 * voter id, level 3's X25519 agreement, HKDF-SHA256 session key and HMAC proof.
 */
import { concatBytes, fromBase64url, lengthPrefixed, toBase64url, utf8 } from '../../../src/crypto/bytes.ts';
import { bs, WebCryptoError, type WebKey } from './webcrypto.ts';

export const SESSION_INFO_LABEL = 'evote/session/v1';
export const SESSION_KEY_BYTES = 32;

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', bs(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, bs(data)));
}

function decode(field: string, text: string): Uint8Array {
  const bytes = fromBase64url(text);
  if (!bytes) throw new WebCryptoError('INVALID_KEY', `${field} is not base64url`);
  return bytes;
}

/** Level 2: base64url HMAC-SHA256(clientKey, voterId), the application's proof bound to the voter. */
export async function clientMac(clientKey: string, voterId: string): Promise<string> {
  const key = decode('the application key', clientKey);
  if (key.length === 0) throw new WebCryptoError('INVALID_KEY', 'the application key is empty');
  return toBase64url(await hmacSha256(key, utf8(voterId)));
}

export function sessionInfo(voterId: string, clientId: string): Uint8Array {
  return concatBytes(utf8(SESSION_INFO_LABEL), lengthPrefixed(utf8(voterId)), lengthPrefixed(utf8(clientId)));
}

/** HKDF-SHA256(ikm = X25519 secret, salt = the server's nonce, info = sessionInfo), 32 bytes. */
export async function deriveSessionKey(x25519Secret: Uint8Array, nonce: Uint8Array, voterId: string, clientId: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey('raw', bs(x25519Secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: bs(nonce), info: bs(sessionInfo(voterId, clientId)) }, ikm, SESSION_KEY_BYTES * 8);
  return new Uint8Array(bits);
}

/** Level 3's proof: HMAC-SHA256(sessionKey, voterId). */
export function sessionProof(sessionKey: Uint8Array, voterId: string): Promise<Uint8Array> {
  return hmacSha256(sessionKey, utf8(voterId));
}

/** A one-login X25519 pair: the private key never leaves WebCrypto (not extractable). */
export interface X25519Pair {
  privateKey: WebKey;
  /** Raw 32 bytes, what `auth.begin` carries as clientPublicKey (base64url). */
  publicKey: Uint8Array;
}

export async function generateX25519Pair(): Promise<X25519Pair> {
  let pair: { privateKey: WebKey; publicKey: WebKey };
  try {
    pair = (await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as unknown as { privateKey: WebKey; publicKey: WebKey };
  } catch {
    throw new WebCryptoError('UNSUPPORTED_BROWSER', 'this browser has no X25519 in WebCrypto; use an up-to-date browser');
  }
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

/**
 * The 32-byte X25519 shared secret; a peer key of small order (all-zero secret) is refused as
 * WebCryptoError('INVALID_PUBLIC_KEY'), like src/crypto/x25519.ts.
 */
export async function x25519SharedSecret(privateKey: WebKey, peerPublicKey: Uint8Array): Promise<Uint8Array> {
  if (peerPublicKey.length !== 32) throw new WebCryptoError('INVALID_PUBLIC_KEY', "the server's X25519 key is not 32 bytes");
  let secret: Uint8Array;
  try {
    const peer = await crypto.subtle.importKey('raw', bs(peerPublicKey), { name: 'X25519' }, false, []);
    secret = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: peer } as unknown as Parameters<typeof crypto.subtle.deriveBits>[0], privateKey, 256));
  } catch {
    throw new WebCryptoError('INVALID_PUBLIC_KEY', "the server's X25519 key is of small order");
  }
  if (secret.every((b) => b === 0)) throw new WebCryptoError('INVALID_PUBLIC_KEY', "the server's X25519 key is of small order");
  return secret;
}

/** Level 3 from the server's challenge: base64url HMAC(HKDF(X25519(own, server), nonce, info), voterId). */
export async function level3Proof(own: X25519Pair, challenge: { serverPublicKey: string; nonce: string }, voterId: string, clientId: string): Promise<string> {
  const secret = await x25519SharedSecret(own.privateKey, decode("the server's public key", challenge.serverPublicKey));
  const key = await deriveSessionKey(secret, decode("the server's nonce", challenge.nonce), voterId, clientId);
  secret.fill(0);
  const proof = toBase64url(await sessionProof(key, voterId));
  key.fill(0);
  return proof;
}
