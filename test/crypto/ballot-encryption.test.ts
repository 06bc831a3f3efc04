import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBallotCiphertext,
  decryptBallot,
  decryptWithRevealedR,
  encodeBallotCiphertext,
  encryptBallot,
  encryptBallotToText,
} from '../../src/crypto/ballot-encryption.ts';
import { bigIntToBytes, bytesToBigInt, fromBase64url, toBase64url, toHex } from '../../src/crypto/bytes.ts';
import type { CryptoResult } from '../../src/crypto/errors.ts';
import { generateRsaKeyPair, rsaPrivateKeyFromPrimes, rsaPublicNumbers, rsaRawPublic, type RsaKeyPair } from '../../src/crypto/rsa.ts';
import { loadVectors } from './load-vectors.ts';

const electionId = 'election-2026-council';
const ballot = new TextEncoder().encode('message ‖ signature bytes');

function errorCode<T>(result: CryptoResult<T>): string | undefined {
  return result.ok ? undefined : result.error.code;
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('ballot encryption (RSA-KEM + AES-256-GCM)', () => {
  let counter: RsaKeyPair;
  let other: RsaKeyPair;
  beforeAll(() => {
    counter = generateRsaKeyPair(2048);
    other = generateRsaKeyPair(2048);
  });

  it('round trip: the counter decrypts, and r satisfies r^e mod n = c0', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    const result = decryptBallot(counter.privateKey, ciphertext, electionId);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.plaintext).toEqual(ballot);
    expect(result.value.r).toHaveLength(256);
    const c0 = decodeBallotCiphertext(ciphertext);
    expect(c0.ok && toHex(rsaRawPublic(counter.publicKey, result.value.r))).toBe(c0.ok && toHex(c0.value.c0));
  });

  it('round trip through the base64url text form, empty plaintext included', () => {
    const text = encryptBallotToText(counter.publicKey, electionId, new Uint8Array(0));
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decryptBallot(counter.privateKey, text, electionId)).toMatchObject({ ok: true, value: { plaintext: new Uint8Array(0) } });
  });

  it('layout: version 1, u16 length, c0, 12-byte nonce, ciphertext and 16-byte tag', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    expect(ciphertext[0]).toBe(1);
    expect((ciphertext[1]! << 8) | ciphertext[2]!).toBe(256);
    expect(ciphertext).toHaveLength(3 + 256 + 12 + ballot.length + 16);
    const decoded = decodeBallotCiphertext(ciphertext);
    expect(decoded.ok && toHex(encodeBallotCiphertext(decoded.value))).toBe(toHex(ciphertext));
  });

  it('encrypting the same ballot twice gives unrelated ciphertexts', () => {
    const a = encryptBallot(counter.publicKey, electionId, ballot);
    const b = encryptBallot(counter.publicKey, electionId, ballot);
    expect(toHex(a.subarray(3, 259))).not.toBe(toHex(b.subarray(3, 259)));
    expect(toHex(a.subarray(259))).not.toBe(toHex(b.subarray(259)));
  });

  it('a wrong private key fails cleanly with DECRYPTION_FAILED', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    expect(errorCode(decryptBallot(other.privateKey, ciphertext, electionId))).toBe('DECRYPTION_FAILED');
  });

  it('a key of another size is a KEY_MISMATCH', () => {
    // The RFC 9474 test key (4096 bits) imports instantly, unlike generating a second size.
    const v = loadVectors<{ p: string; q: string; e: string; d: string }>('rfc9474-rsabssa-sha384-pss-randomized.json');
    const big = { privateKey: rsaPrivateKeyFromPrimes(BigInt('0x' + v.p), BigInt('0x' + v.q), BigInt('0x' + v.e), BigInt('0x' + v.d)) };
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    expect(errorCode(decryptBallot(big.privateKey, ciphertext, electionId))).toBe('KEY_MISMATCH');
  });

  it('the wrong election id fails (bound into both the key and the AAD)', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    expect(errorCode(decryptBallot(counter.privateKey, ciphertext, 'another-election'))).toBe('DECRYPTION_FAILED');
  });

  it('tampering with any part (c0, nonce, ciphertext, tag) fails with a typed error', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    const positions = { c0: 100, nonce: 3 + 256 + 5, body: 3 + 256 + 12 + 3, tag: ciphertext.length - 1 };
    for (const [part, index] of Object.entries(positions)) {
      const result = decryptBallot(counter.privateKey, flip(ciphertext, index), electionId);
      expect([part, errorCode(result)]).toEqual([part, 'DECRYPTION_FAILED']);
    }
    expect(errorCode(decryptBallot(counter.privateKey, ciphertext.subarray(0, ciphertext.length - 1), electionId))).toBe('DECRYPTION_FAILED');
    expect(errorCode(decryptBallot(counter.privateKey, ciphertext.subarray(0, 3 + 256 + 12 + 15), electionId))).toBe('MALFORMED_CIPHERTEXT');
  });

  it('c0 at or above the modulus, or equal to 0 or 1, is refused without touching the private key', () => {
    const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
    const { n } = rsaPublicNumbers(counter.publicKey);
    for (const c0 of [n, n + 1n, 2n ** 2048n - 1n, 0n, 1n]) {
      const forged = Uint8Array.from(ciphertext);
      forged.set(bigIntToBytes(c0, 256), 3);
      expect(errorCode(decryptBallot(counter.privateKey, forged, electionId))).toBe('DECRYPTION_FAILED');
    }
  });

  describe('decryptWithRevealedR (verifiable decryption)', () => {
    it('anybody holding r and the public key decrypts the ballot', () => {
      const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
      const counted = decryptBallot(counter.privateKey, ciphertext, electionId);
      if (!counted.ok) throw new Error(counted.error.code);
      const published = toBase64url(counted.value.r);
      const result = decryptWithRevealedR(counter.publicKey, fromBase64url(published)!, toBase64url(ciphertext), electionId);
      expect(result).toMatchObject({ ok: true, value: { plaintext: ballot } });
    });

    it('a wrong r fails the r^e mod n = c0 check', () => {
      const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
      const counted = decryptBallot(counter.privateKey, ciphertext, electionId);
      if (!counted.ok) throw new Error(counted.error.code);
      const wrongR = bigIntToBytes(bytesToBigInt(counted.value.r) + 1n, 256);
      expect(errorCode(decryptWithRevealedR(counter.publicKey, wrongR, ciphertext, electionId))).toBe('REVEALED_SECRET_MISMATCH');
      const otherBallot = decryptBallot(counter.privateKey, encryptBallot(counter.publicKey, electionId, ballot), electionId);
      if (!otherBallot.ok) throw new Error(otherBallot.error.code);
      expect(errorCode(decryptWithRevealedR(counter.publicKey, otherBallot.value.r, ciphertext, electionId))).toBe('REVEALED_SECRET_MISMATCH');
      expect(errorCode(decryptWithRevealedR(counter.publicKey, new Uint8Array(256), ciphertext, electionId))).toBe('REVEALED_SECRET_MISMATCH');
      expect(errorCode(decryptWithRevealedR(counter.publicKey, counted.value.r.subarray(1), ciphertext, electionId))).toBe('INVALID_LENGTH');
    });

    it('a correct r with a tampered body is still a DECRYPTION_FAILED', () => {
      const ciphertext = encryptBallot(counter.publicKey, electionId, ballot);
      const counted = decryptBallot(counter.privateKey, ciphertext, electionId);
      if (!counted.ok) throw new Error(counted.error.code);
      const tampered = flip(ciphertext, ciphertext.length - 20);
      expect(errorCode(decryptWithRevealedR(counter.publicKey, counted.value.r, tampered, electionId))).toBe('DECRYPTION_FAILED');
    });
  });

  describe('decoding untrusted input', () => {
    it('random bytes of any length give a typed error, never an exception or a plaintext', () => {
      const codes = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const bytes = new Uint8Array(randomBytes(i % 3 === 0 ? i : 3 + 256 + 12 + 16 + (i % 40)));
        if (i % 2 === 0 && bytes.length >= 3) {
          // Half the time make the header plausible so the error comes from deeper checks.
          bytes.set([1, 1, 0], 0);
        }
        const result = decryptBallot(counter.privateKey, bytes, electionId);
        expect(result.ok).toBe(false);
        if (!result.ok) codes.add(result.error.code);
      }
      expect([...codes].every((c) => ['MALFORMED_CIPHERTEXT', 'UNSUPPORTED_VERSION', 'DECRYPTION_FAILED'].includes(c))).toBe(true);
      expect(codes.has('DECRYPTION_FAILED')).toBe(true);
    });

    it('names the failure: version, truncation, KEM length, base64url', () => {
      const good = encryptBallot(counter.publicKey, electionId, ballot);
      const v2 = Uint8Array.from(good);
      v2[0] = 2;
      expect(errorCode(decodeBallotCiphertext(v2))).toBe('UNSUPPORTED_VERSION');
      expect(errorCode(decodeBallotCiphertext(new Uint8Array(0)))).toBe('MALFORMED_CIPHERTEXT');
      expect(errorCode(decodeBallotCiphertext(Uint8Array.of(1, 0)))).toBe('MALFORMED_CIPHERTEXT');
      expect(errorCode(decodeBallotCiphertext(Uint8Array.of(1, 0, 7, ...new Uint8Array(100))))).toBe('MALFORMED_CIPHERTEXT');
      expect(errorCode(decodeBallotCiphertext('not base64url!'))).toBe('MALFORMED_CIPHERTEXT');
      const text = toBase64url(good);
      expect(decodeBallotCiphertext(text).ok).toBe(true);
      expect(errorCode(decodeBallotCiphertext(text + '='))).toBe('MALFORMED_CIPHERTEXT');
    });
  });
});
