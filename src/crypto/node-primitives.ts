/** CryptoPrimitives on node:crypto (OpenSSL): the CLI audit, its worker threads and the tally. */
import { createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import { aes256GcmDecrypt } from './aes-gcm.ts';
import { verify as rsaPssVerify } from './blind-rsa.ts';
import { toBase64url } from './bytes.ts';
import { hkdfSha256 } from './hkdf.ts';
import { leafHashOfText, nodeHash } from './merkle.ts';
import type { CryptoPrimitives } from './primitives.ts';
import { rsaPublicNumbers, rsaRawPublic } from './rsa.ts';

export const nodePrimitives: CryptoPrimitives = {
  // One-shot: one native call (the ballot hash of every BallotCast goes through it).
  sha256: (data) => hash('sha256', data, 'buffer'),
  leafHashOfText,
  nodeHash,
  rsaPublicKey(spkiDer) {
    const key = createPublicKey({ key: Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') throw new TypeError('public key is not an RSA key');
    return key;
  },
  rsaPublicNumbers: (key) => rsaPublicNumbers(key as KeyObject),
  rsaRawPublic: (key, x) => rsaRawPublic(key as KeyObject, x),
  rsaPssSha384Verify: (key, message, signature) => rsaPssVerify(key as KeyObject, message, signature),
  ed25519PublicKey(raw) {
    if (raw.length !== 32) return undefined;
    try {
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64url(raw) }, format: 'jwk' });
    } catch {
      return undefined;
    }
  },
  ed25519Verify(key, message, signature) {
    try {
      return verify(null, message, key as KeyObject, signature);
    } catch {
      return false;
    }
  },
  hkdfSha256,
  aes256GcmDecrypt: (key, nonce, ciphertext, tag, aad) => aes256GcmDecrypt(key, nonce, ciphertext, tag, aad),
};
