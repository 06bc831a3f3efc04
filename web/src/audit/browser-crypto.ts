/**
 * CryptoPrimitives for the browser: SHA-2 and HKDF from @noble/hashes, Ed25519 from @noble/curves,
 * AES-256-GCM from @noble/ciphers, RSA public operations in BigInt. All synchronous, because the
 * audit checks (src/audit/verify-core.ts) are; WebCrypto's promises would not fit them (docs/web.md).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { bigIntToBytes, bitLength, bytesToBigInt, concatBytes, modPow, utf8 } from '../../../src/crypto/bytes.ts';
import { fail, ok } from '../../../src/crypto/errors.ts';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, bytesEqual, type CryptoPrimitives, type PublicKeyHandle, type RsaPublicNumbers } from '../../../src/crypto/primitives.ts';

/** OID 1.2.840.113549.1.1.1 (rsaEncryption), DER-encoded: the only algorithm node:crypto calls 'rsa'. */
const RSA_ENCRYPTION_OID = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);

interface Der {
  tag: number;
  body: Uint8Array;
  /** Bytes of the whole element (tag, length, body). */
  size: number;
}

/** One DER element at `at` (definite lengths only, as DER requires). */
function der(bytes: Uint8Array, at: number): Der {
  const tag = bytes[at];
  let len = bytes[at + 1];
  if (tag === undefined || len === undefined) throw new TypeError('truncated DER');
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new TypeError('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (bytes[at + 2 + i] ?? NaN);
    head += n;
  }
  if (!Number.isInteger(len) || at + head + len > bytes.length) throw new TypeError('truncated DER');
  return { tag, body: bytes.subarray(at + head, at + head + len), size: head + len };
}

/** Reads the elements of a constructed body, checking their tags. */
function children(body: Uint8Array, tags: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const tag of tags) {
    const e = der(body, at);
    if (e.tag !== tag) throw new TypeError('unexpected DER element');
    out.push(e.body);
    at += e.size;
  }
  if (at !== body.length) throw new TypeError('trailing DER bytes');
  return out;
}

class RsaKey {
  constructor(readonly numbers: RsaPublicNumbers) {}
}

/** SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL }, BIT STRING { RSAPublicKey { n, e } } }. */
function rsaFromSpki(spki: Uint8Array): RsaKey {
  const outer = der(spki, 0);
  if (outer.tag !== 0x30 || outer.size !== spki.length) throw new TypeError('not an SPKI');
  const [algorithm, bits] = children(outer.body, [0x30, 0x03]) as [Uint8Array, Uint8Array];
  if (!bytesEqual(algorithm.subarray(0, RSA_ENCRYPTION_OID.length), RSA_ENCRYPTION_OID)) throw new TypeError('public key is not an RSA key');
  if (bits[0] !== 0) throw new TypeError('BIT STRING with unused bits');
  const rsaKey = der(bits, 1);
  if (rsaKey.tag !== 0x30) throw new TypeError('not an RSAPublicKey');
  const [nBytes, eBytes] = children(rsaKey.body, [0x02, 0x02]) as [Uint8Array, Uint8Array];
  const n = bytesToBigInt(nBytes);
  const e = bytesToBigInt(eBytes);
  if (n < 3n || e < 3n || n % 2n === 0n) throw new TypeError('not a usable RSA key');
  const modulusBits = bitLength(n);
  const modulusBytes = Math.ceil(modulusBits / 8);
  return new RsaKey({ n, e, modulusBits, modulusBytes, modulus: bigIntToBytes(n, modulusBytes) });
}

const rsa = (key: PublicKeyHandle): RsaKey => {
  if (!(key instanceof RsaKey)) throw new TypeError('not an RSA key of this platform');
  return key;
};

class Ed25519Key {
  constructor(readonly raw: Uint8Array) {}
}

const SHA384_BYTES = 48;
/** RFC 9474 RSABSSA-SHA384-PSS-Randomized: sLen = hLen. */
const PSS_SALT_BYTES = 48;

function mgf1Sha384(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / SHA384_BYTES) * SHA384_BYTES);
  const counter = new Uint8Array(4);
  for (let i = 0; i * SHA384_BYTES < length; i++) {
    new DataView(counter.buffer).setUint32(0, i);
    out.set(sha384(concatBytes(seed, counter)), i * SHA384_BYTES);
  }
  return out.subarray(0, length);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2), SHA-384, MGF1-SHA-384, sLen 48. */
function pssVerify(numbers: RsaPublicNumbers, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== numbers.modulusBytes) return false;
  const s = bytesToBigInt(signature);
  if (s >= numbers.n) return false;
  const emBits = numbers.modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const m = modPow(s, numbers.e, numbers.n);
  if (bitLength(m) > emLen * 8) return false;
  const em = bigIntToBytes(m, emLen);
  if (emLen < SHA384_BYTES + PSS_SALT_BYTES + 2 || em[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - SHA384_BYTES - 1;
  const maskedDb = em.subarray(0, dbLen);
  const h = em.subarray(dbLen, dbLen + SHA384_BYTES);
  const topBits = 8 * emLen - emBits;
  if (topBits > 0 && (maskedDb[0] as number) >> (8 - topBits) !== 0) return false;
  const db = mgf1Sha384(h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = (db[i] as number) ^ (maskedDb[i] as number);
  db[0] = (db[0] as number) & (0xff >> topBits);
  const psLen = emLen - SHA384_BYTES - PSS_SALT_BYTES - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - PSS_SALT_BYTES);
  return bytesEqual(sha384(concatBytes(new Uint8Array(8), sha384(message), salt)), h);
}

const NODE_PREFIX = Uint8Array.of(0x01);

export const browserPrimitives: CryptoPrimitives = {
  sha256: (data) => sha256(data),
  leafHashOfText: (text) => sha256(utf8('\u0000' + text)),
  nodeHash: (left, right) => sha256(concatBytes(NODE_PREFIX, left, right)),
  rsaPublicKey: rsaFromSpki,
  rsaPublicNumbers: (key) => rsa(key).numbers,
  rsaRawPublic(key, x) {
    const { n, e, modulusBytes } = rsa(key).numbers;
    return bigIntToBytes(modPow(bytesToBigInt(x), e, n), modulusBytes);
  },
  rsaPssSha384Verify: (key, message, signature) => pssVerify(rsa(key).numbers, message, signature),
  // Any 32 bytes, as OpenSSL imports them: a bad point fails at verification.
  ed25519PublicKey: (raw) => (raw.length === 32 ? new Ed25519Key(raw.slice()) : undefined),
  ed25519Verify(key, message, signature) {
    if (!(key instanceof Ed25519Key)) return false;
    try {
      // RFC 8032 strict decoding, as OpenSSL verifies (ZIP-215 would accept more).
      return ed25519.verify(signature, message, key.raw, { zip215: false });
    } catch {
      return false;
    }
  },
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  aes256GcmDecrypt(key, nonce, ciphertext, tag, aad) {
    if (nonce.length !== GCM_NONCE_BYTES) return fail('INVALID_LENGTH', 'AES-GCM nonce must be 12 bytes');
    if (tag.length !== GCM_TAG_BYTES) return fail('INVALID_LENGTH', 'AES-GCM tag must be 16 bytes');
    try {
      return ok(gcm(key, nonce, aad).decrypt(concatBytes(ciphertext, tag)));
    } catch {
      return fail('DECRYPTION_FAILED', 'AES-GCM authentication failed');
    }
  },
};
