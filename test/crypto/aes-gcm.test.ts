import { describe, expect, it } from 'vitest';
import { aes256GcmDecrypt, aes256GcmEncrypt, randomGcmNonce } from '../../src/crypto/aes-gcm.ts';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { loadVectors } from './load-vectors.ts';

interface GcmCase { name: string; key: string; iv: string; pt: string; aad: string; ct: string; tag: string }
const { cases } = loadVectors<{ cases: GcmCase[] }>('gcm-aes256.json');

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('AES-256-GCM against the GCM spec (cases 13-16) and NIST CAVP', () => {
  it('includes McGrew-Viega test cases 13 to 16', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining([13, 14, 15, 16].map((n) => `GCM spec test case ${n}`)));
  });

  for (const c of cases) {
    it(`${c.name}: encrypt gives the published ciphertext and tag; decrypt inverts it`, () => {
      const sealed = aes256GcmEncrypt(fromHex(c.key), fromHex(c.iv), fromHex(c.pt), fromHex(c.aad));
      expect(toHex(sealed.ciphertext)).toBe(c.ct);
      expect(toHex(sealed.tag)).toBe(c.tag);
      const opened = aes256GcmDecrypt(fromHex(c.key), fromHex(c.iv), fromHex(c.ct), fromHex(c.tag), fromHex(c.aad));
      expect(opened).toEqual({ ok: true, value: fromHex(c.pt) });
    });

    it(`${c.name}: a flipped tag bit is a DECRYPTION_FAILED value`, () => {
      const result = aes256GcmDecrypt(fromHex(c.key), fromHex(c.iv), fromHex(c.ct), flipBit(fromHex(c.tag), 15), fromHex(c.aad));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('DECRYPTION_FAILED');
    });
  }

  it('test case 16 fails on a changed AAD byte, ciphertext byte or key', () => {
    const c = cases.find((x) => x.name === 'GCM spec test case 16')!;
    const [key, iv, ct, tag, aad] = [c.key, c.iv, c.ct, c.tag, c.aad].map(fromHex) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(aes256GcmDecrypt(key, iv, ct, tag, flipBit(aad, 0)).ok).toBe(false);
    expect(aes256GcmDecrypt(key, iv, flipBit(ct, 59), tag, aad).ok).toBe(false);
    expect(aes256GcmDecrypt(flipBit(key, 31), iv, ct, tag, aad).ok).toBe(false);
    expect(aes256GcmDecrypt(key, iv, ct, tag, new Uint8Array(0)).ok).toBe(false);
  });

  it('refuses truncated tags and wrong nonce sizes as values, never throws', () => {
    const c = cases.find((x) => x.name === 'GCM spec test case 15')!;
    const shortTag = aes256GcmDecrypt(fromHex(c.key), fromHex(c.iv), fromHex(c.ct), fromHex(c.tag).subarray(0, 12));
    expect(shortTag.ok === false && shortTag.error.code).toBe('INVALID_LENGTH');
    const shortNonce = aes256GcmDecrypt(fromHex(c.key), fromHex(c.iv).subarray(0, 8), fromHex(c.ct), fromHex(c.tag));
    expect(shortNonce.ok === false && shortNonce.error.code).toBe('INVALID_LENGTH');
  });

  it('throws on a key that is not 256 bits (a caller bug, not input)', () => {
    expect(() => aes256GcmEncrypt(new Uint8Array(16), new Uint8Array(12), new Uint8Array(0))).toThrow(RangeError);
  });

  it('round-trips random data under random nonces', () => {
    const key = fromHex('11'.repeat(32));
    const nonce = randomGcmNonce();
    expect(nonce).toHaveLength(12);
    const plaintext = new TextEncoder().encode('a ballot-sized message ✓');
    const sealed = aes256GcmEncrypt(key, nonce, plaintext, Uint8Array.of(7));
    expect(aes256GcmDecrypt(key, nonce, sealed.ciphertext, sealed.tag, Uint8Array.of(7))).toEqual({ ok: true, value: plaintext });
  });
});
