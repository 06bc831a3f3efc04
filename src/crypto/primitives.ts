/**
 * The cryptographic primitives the audit checks call, as an interface: the checks are written once
 * (src/audit/verify-core.ts and what it imports, none of which imports a Node built-in) and run on
 * node:crypto in the CLI (node-primitives.ts) and on @noble + BigInt in a browser
 * (web/src/audit/browser-crypto.ts). Everything here is synchronous: the checks are.
 */
import { bigIntToBytes, bitLength, bytesToBigInt, fromBase64url } from './bytes.ts';
import type { CryptoResult } from './errors.ts';

export const AES_256_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
/** RFC 9474's random prefix of a prepared message (RSABSSA-SHA384-PSS-Randomized). */
export const RSABSSA_PREFIX_BYTES = 32;

/** A platform's public key handle (a KeyObject in Node, numbers or bytes in a browser); opaque to the checks. */
export type PublicKeyHandle = object;

/** n and e of an RSA public key, with the sizes every raw operation checks against. */
export interface RsaPublicNumbers {
  n: bigint;
  e: bigint;
  /** Length of n in bytes (kLen): the size of every raw RSA input and output. */
  modulusBytes: number;
  modulusBits: number;
  /** n as kLen big-endian bytes, compared against without bigint conversion. */
  modulus: Uint8Array;
}

/**
 * The numbers of an RSA public key from its JWK members n and e (base64url), as node:crypto and
 * WebCrypto both export a key; undefined when either is missing or not base64url.
 */
export function rsaPublicNumbersFromJwk(jwk: { n?: string; e?: string }): RsaPublicNumbers | undefined {
  const nBytes = fromBase64url(jwk.n ?? '');
  const eBytes = fromBase64url(jwk.e ?? '');
  if (!nBytes || !eBytes) return undefined;
  const n = bytesToBigInt(nBytes);
  const modulusBits = bitLength(n);
  const modulusBytes = Math.ceil(modulusBits / 8);
  return { n, e: bytesToBigInt(eBytes), modulusBits, modulusBytes, modulus: bigIntToBytes(n, modulusBytes) };
}

export interface CryptoPrimitives {
  sha256(data: Uint8Array): Uint8Array;
  /** SHA-256(0x00 ‖ UTF-8(text)): an RFC 6962 leaf of a text. */
  leafHashOfText(text: string): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right): an RFC 6962 interior node. */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** An RSA public key from its SPKI DER; throws when the bytes are not one. */
  rsaPublicKey(spkiDer: Uint8Array): PublicKeyHandle;
  rsaPublicNumbers(key: PublicKeyHandle): RsaPublicNumbers;
  /** x^e mod n for x of kLen bytes already checked below n. */
  rsaRawPublic(key: PublicKeyHandle, x: Uint8Array): Uint8Array;
  /** RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (RFC 9474 RSABSSA-SHA384-PSS-Randomized). */
  rsaPssSha384Verify(key: PublicKeyHandle, message: Uint8Array, signature: Uint8Array): boolean;
  /** An Ed25519 public key from its 32 raw bytes, or undefined when they are not a point. */
  ed25519PublicKey(raw: Uint8Array): PublicKeyHandle | undefined;
  ed25519Verify(key: PublicKeyHandle, message: Uint8Array, signature: Uint8Array): boolean;
  /** HKDF-SHA256 (RFC 5869); an empty salt means HashLen zeros. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM open with a 12-byte nonce and a 16-byte tag; any failure is DECRYPTION_FAILED or INVALID_LENGTH. */
  aes256GcmDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): CryptoResult<Uint8Array>;
}

/** Byte equality without Buffer (usable on every platform). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Big-endian comparison of two byte strings of one length: negative, 0 or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when x (exactly kLen bytes) is below n: the range check of every raw input, without bigint. */
export function isBelowModulus(numbers: RsaPublicNumbers, x: Uint8Array): boolean {
  return x.length === numbers.modulus.length && compareBytes(x, numbers.modulus) < 0;
}

/** True when x (big-endian bytes) is 0 or 1: KEM values and secrets that encryption never produces. */
export function isZeroOrOne(x: Uint8Array): boolean {
  const last = x.length - 1;
  for (let i = 0; i < last; i++) if (x[i] !== 0) return false;
  return last < 0 || (x[last] as number) <= 1;
}
