import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import * as bytes from '../../src/crypto/bytes.ts';
import { bigIntToBytes, bitLength, bytesToBigInt, fromBase64url, fromHex, isWellFormedText, lengthPrefixed, modInverse, modPow, randomBigIntInRange, randomBytes, toBase64url, toHex } from '../../src/crypto/bytes.ts';

/**
 * A second instance of bytes.ts loaded as a browser loads it: no Buffer and (older browsers) no
 * String.prototype.isWellFormed, so its own encoders and the lone-surrogate expression run.
 */
async function browserBytes(): Promise<typeof bytes> {
  const proto = String.prototype as unknown as { isWellFormed?: unknown };
  const isWellFormed = proto.isWellFormed;
  vi.resetModules();
  vi.stubGlobal('Buffer', undefined);
  delete proto.isWellFormed;
  try {
    return await import('../../src/crypto/bytes.ts');
  } finally {
    proto.isWellFormed = isWellFormed;
    vi.unstubAllGlobals();
  }
}

describe('byte and integer helpers', () => {
  it('I2OSP and OS2IP are inverse and big-endian', () => {
    expect(toHex(bigIntToBytes(0x0102n, 4))).toBe('00000102');
    expect(bytesToBigInt(fromHex('00000102'))).toBe(0x0102n);
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n);
    expect(() => bigIntToBytes(0x10000n, 2)).toThrow(RangeError);
    expect(() => bigIntToBytes(-1n, 2)).toThrow(RangeError);
  });

  it('modPow and modInverse agree with small known values', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modInverse(3n, 11n)).toBe(4n);
    expect(modInverse(6n, 9n)).toBeUndefined();
    const n = 2n ** 127n - 1n;
    const a = 123456789123456789n;
    expect((a * modInverse(a, n)!) % n).toBe(1n);
    expect(modPow(a, n - 1n, n)).toBe(1n); // Fermat: 2^127 - 1 is prime
  });

  it('random integers stay in range and are not constant', () => {
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) {
      const x = randomBigIntInRange(2n, 300n);
      expect(x >= 2n && x < 300n).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(bitLength(255n)).toBe(8);
  });

  it('base64url decoding is strict and canonical', () => {
    expect(toBase64url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(fromBase64url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(fromBase64url('-_9')).toBeUndefined(); // same bytes, non-zero trailing bits
    expect(fromBase64url('+/8')).toBeUndefined();
    expect(fromBase64url('AA==')).toBeUndefined();
    expect(fromBase64url('')).toEqual(new Uint8Array(0));
  });

  it('the browser\'s paths (no Buffer, no isWellFormed) give the same bytes and text as Node\'s', async () => {
    const web = await browserBytes();
    expect(web).not.toBe(bytes);
    for (let len = 0; len < 40; len++) {
      const data = new Uint8Array(nodeRandomBytes(len));
      const text = toBase64url(data);
      expect(web.toBase64url(data)).toBe(text);
      expect(web.toHex(web.fromBase64url(text)!)).toBe(toHex(data));
      expect(web.toHex(data)).toBe(toHex(data));
      expect(toHex(web.fromHex(toHex(data)))).toBe(toHex(data));
    }
    for (const text of ['A', 'AB', 'AQ', 'AR', 'AQI', 'AQJ', 'a+b', 'ab=', 'abcd', '', '_-_-']) {
      expect(web.fromBase64url(text) && web.toHex(web.fromBase64url(text)!)).toBe(fromBase64url(text) && toHex(fromBase64url(text)!));
    }
    expect(web.bigIntToBytes(258n, 4)).toEqual(new Uint8Array([0, 0, 1, 2]));
    expect(() => web.bigIntToBytes(1n << 32n, 4)).toThrow(RangeError);
    for (const s of ['a😀b', 'a\udc00b', '\ud83d', '\ud83d\ude00\udc00', '', 'plain']) expect(web.isWellFormedText(s)).toBe(isWellFormedText(s));
    expect(web.isWellFormedText('a\udc00b')).toBe(false);
  });

  it('length prefixes are four big-endian bytes; random bytes fill more than one getRandomValues call', () => {
    expect(toHex(lengthPrefixed(Uint8Array.of(7, 8)))).toBe('000000020708');
    const big = randomBytes(70_000);
    expect(big.length).toBe(70_000);
    expect(big.subarray(65_536).some((b) => b !== 0)).toBe(true);
  });
});
