import { hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { hkdfSha256, hkdfSha256Extract } from '../../src/crypto/hkdf.ts';
import { loadVectors } from './load-vectors.ts';

interface HkdfCase { name: string; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }
const { cases } = loadVectors<{ cases: HkdfCase[] }>('rfc5869-hkdf-sha256.json');

describe('HKDF-SHA256 against RFC 5869 Appendix A', () => {
  it('has the three SHA-256 cases', () => expect(cases).toHaveLength(3));

  for (const c of cases) {
    it(`${c.name}: PRK and OKM`, () => {
      expect(toHex(hkdfSha256Extract(fromHex(c.salt), fromHex(c.ikm)))).toBe(c.prk);
      expect(toHex(hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), c.length))).toBe(c.okm);
    });
  }

  it('a shorter output is a prefix of the longer one (expand is a stream)', () => {
    const c = cases[0]!;
    expect(toHex(hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), 16))).toBe(c.okm.slice(0, 32));
  });

  it("equals OpenSSL's own HKDF (node's hkdfSync) on random inputs and lengths, empty salt and info included", () => {
    for (let i = 0; i < 200; i++) {
      const ikm = randomBytes(1 + (i % 80));
      const salt = i % 5 === 0 ? Buffer.alloc(0) : randomBytes(i % 70);
      const info = i % 7 === 0 ? Buffer.alloc(0) : randomBytes(i % 50);
      const length = [1, 31, 32, 33, 64, 100, 255, 8160][i % 8]!;
      expect(Buffer.from(hkdfSha256(ikm, salt, info, length)).equals(Buffer.from(hkdfSync('sha256', ikm, salt, info, length))), `case ${i}`).toBe(true);
    }
  });

  it('refuses lengths outside 1..8160', () => {
    expect(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 0)).toThrow(RangeError);
    expect(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 8161)).toThrow(RangeError);
    expect(hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 8160)).toHaveLength(8160);
  });
});
