import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt } from '../../src/crypto/bytes.ts';
import { fixedBasePow, modPowOpenSsl, modPowOpenSslConstantTime } from '../../src/crypto/openssl-modpow.ts';
import { randomBelow, refModPow } from './threshold-reference.ts';

function modulus(bits: number): bigint {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  return bytesToBigInt(Buffer.from(jwk.n as string, 'base64url'));
}

describe('modPowOpenSsl against the BigInt reference', () => {
  const n = modulus(2048);

  it('agrees for exponents below n, up to 2n, beyond 3·bits(n), and for 0, 1, even exponents', () => {
    const exponents = [0n, 1n, 2n, 65537n, 1n << 2047n, n - 1n, randomBelow(n), randomBelow(n) * 2n, n, n + 1n, randomBelow(n) << 2304n, 1n << 2048n];
    for (const e of exponents) {
      const x = randomBelow(n);
      expect(modPowOpenSsl(x, e, n)).toBe(refModPow(x, e, n));
    }
  });

  it('reduces the base and handles 0 and 1', () => {
    const e = randomBelow(n);
    expect(modPowOpenSsl(n + 7n, e, n)).toBe(refModPow(7n, e, n));
    expect(modPowOpenSsl(0n, e, n)).toBe(0n);
    expect(modPowOpenSsl(1n, e, n)).toBe(1n);
    expect(modPowOpenSsl(-2n, 3n, n)).toBe(n - 8n);
  });

  it('the constant-time DH path and the fixed-base form agree too', () => {
    const base = randomBelow(n);
    const pow = fixedBasePow(base, n);
    for (const e of [0n, 3n, randomBelow(n), randomBelow(n) << 256n, (randomBelow(n) << 2047n) + 5n, randomBelow(n) << 4200n]) {
      expect(modPowOpenSslConstantTime(base, e, n)).toBe(refModPow(base, e, n));
      expect(pow(e)).toBe(refModPow(base, e, n));
    }
  });

  it('works for tiny moduli and a 4096-bit odd one (where OpenSSL caps RSA exponents at 64 bits)', () => {
    expect(modPowOpenSsl(5n, 65537n, 1209553n)).toBe(refModPow(5n, 65537n, 1209553n));
    expect(modPowOpenSsl(5n, 1n << 100n, 1209553n)).toBe(refModPow(5n, 1n << 100n, 1209553n));
    const big = (randomBelow(1n << 4096n) | (1n << 4095n)) | 1n;
    const x = randomBelow(big);
    const e = randomBelow(big) << 10n;
    expect(modPowOpenSsl(x, e, big)).toBe(refModPow(x, e, big));
  });

  it('takes the RSA path with full-length exponents at 3072 bits, the largest modulus OpenSSL allows that for', () => {
    const n3072 = (randomBelow(1n << 3072n) | (1n << 3071n)) | 1n;
    for (const e of [randomBelow(n3072), (randomBelow(n3072) << 300n) | 1n]) {
      const x = randomBelow(n3072);
      expect(modPowOpenSsl(x, e, n3072)).toBe(refModPow(x, e, n3072));
    }
  });

  it('refuses an even modulus and a negative exponent', () => {
    expect(() => modPowOpenSsl(2n, 3n, 1024n)).toThrow(RangeError);
    expect(() => modPowOpenSsl(2n, -3n, n)).toThrow(RangeError);
    expect(() => modPowOpenSslConstantTime(2n, 3n, 1209553n)).toThrow(RangeError);
  });
});
