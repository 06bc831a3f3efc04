import { describe, expect, it } from 'vitest';
import { bigIntToBytes, bitLength, bytesToBigInt, fromBase64url, fromHex, modInverse, modPow, randomBigIntInRange, toBase64url, toHex } from '../../src/crypto/bytes.ts';

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
});
