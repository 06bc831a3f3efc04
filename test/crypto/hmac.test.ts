import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { constantTimeEqual, hmacSha256, verifyHmacSha256 } from '../../src/crypto/hmac.ts';
import { loadVectors } from './load-vectors.ts';

interface HmacCase { name: string; key: string; data: string; hmac: string; truncatedBits?: number }
const { cases } = loadVectors<{ cases: HmacCase[] }>('rfc4231-hmac-sha256.json');

describe('HMAC-SHA256 against RFC 4231 test cases 1-7', () => {
  it('has seven cases', () => expect(cases).toHaveLength(7));

  for (const c of cases) {
    it(c.name, () => {
      const mac = hmacSha256(fromHex(c.key), fromHex(c.data));
      expect(mac).toHaveLength(32);
      const shown = c.truncatedBits ? mac.subarray(0, c.truncatedBits / 8) : mac;
      expect(toHex(shown)).toBe(c.hmac);
      if (!c.truncatedBits) expect(verifyHmacSha256(fromHex(c.key), fromHex(c.data), fromHex(c.hmac))).toBe(true);
    });
  }

  it('accepts string data as its UTF-8 bytes (test case 2)', () => {
    expect(toHex(hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?'))).toBe(cases[1]!.hmac);
  });

  it('verify refuses a truncated tag, even a correct one (test case 5)', () => {
    const c = cases[4]!;
    expect(verifyHmacSha256(fromHex(c.key), fromHex(c.data), fromHex(c.hmac))).toBe(false);
  });

  it('verify refuses a tag with one flipped bit and a tag under another key', () => {
    const c = cases[0]!;
    const tag = fromHex(c.hmac);
    tag[31] = (tag[31] ?? 0) ^ 1;
    expect(verifyHmacSha256(fromHex(c.key), fromHex(c.data), tag)).toBe(false);
    expect(verifyHmacSha256(fromHex(cases[2]!.key), fromHex(c.data), fromHex(c.hmac))).toBe(false);
  });
});

describe('constantTimeEqual', () => {
  it('compares contents and lengths', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
