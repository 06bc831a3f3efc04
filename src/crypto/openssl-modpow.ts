/** x^e mod n on OpenSSL for an n nobody here can factor (threshold RSA): docs/trustees.md, "Exponentiation". */
import { constants, createDiffieHellman, createPublicKey, publicEncrypt } from 'node:crypto';
import { bigIntToBytes, bitLength, bytesToBigInt, mod, toBase64url } from './bytes.ts';

const OPENSSL_RSA_SMALL_MODULUS_BITS = 3072;
const DH_MIN_MODULUS_BITS = 512;

interface Modulus {
  n: bigint;
  bytes: number;
  text: string;
  chunkBits: number;
}

let lastModulus: Modulus | undefined;

function modulusOf(n: bigint): Modulus {
  if (lastModulus?.n === n) return lastModulus;
  if (n < 3n || (n & 1n) === 0n) throw new RangeError('modulus must be odd and at least 3');
  const bytes = Math.ceil(bitLength(n) / 8);
  lastModulus = { n, bytes, text: toB64(n, bytes), chunkBits: bitLength(n) - 1 };
  return lastModulus;
}

const toB64 = (x: bigint, bytes: number): string => toBase64url(bigIntToBytes(x, bytes));

// Sound: RSA "encryption" with no padding is exactly x^e mod n, and OpenSSL accepts any 0 < e < n as e.
function rsaPow(m: Modulus, base: bigint, exponent: bigint): bigint {
  if (exponent === 0n) return 1n;
  const key = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: m.text, e: toB64(exponent, Math.ceil(bitLength(exponent) / 8)) } });
  return bytesToBigInt(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, bigIntToBytes(base, m.bytes)));
}

// Sound: a DH "public key" is g^x mod p; OpenSSL computes it for any odd p, prime or not (constant time in x).
function dhPow(m: Modulus, base: bigint, exponent: bigint): bigint {
  if (exponent === 0n) return 1n;
  if (base < 2n) return base;
  const dh = createDiffieHellman(Buffer.from(bigIntToBytes(m.n, m.bytes)), Buffer.from(bigIntToBytes(base, m.bytes)));
  dh.setPrivateKey(Buffer.from(bigIntToBytes(exponent, Math.ceil(bitLength(exponent) / 8))));
  return bytesToBigInt(dh.generateKeys());
}

/** Any exponent ≥ 0; variable time in it when n ≤ 3072 bits (docs/trustees.md weighs that). */
export function modPowOpenSsl(base: bigint, exponent: bigint, n: bigint): bigint {
  if (exponent < 0n) throw new RangeError('exponent must not be negative');
  const m = modulusOf(n);
  const x = mod(base, n);
  if (bitLength(n) > OPENSSL_RSA_SMALL_MODULUS_BITS) return dhPow(m, x, exponent);
  if (exponent < n) return rsaPow(m, x, exponent);
  // x^E = (x^hi)^(2^j) · x^lo with hi the top bits(n) − 1 bits: one full exponentiation, j squarings and a j-bit one.
  const j = BigInt(bitLength(exponent) - m.chunkBits);
  const high = rsaPow(m, x, exponent >> j);
  return (modPowOpenSsl(high, 1n << j, n) * modPowOpenSsl(x, exponent & ((1n << j) - 1n), n)) % n;
}

/** The same with OpenSSL's constant-time DH path (moduli of 512 bits or more); the bench compares the two. */
export function modPowOpenSslConstantTime(base: bigint, exponent: bigint, n: bigint): bigint {
  if (exponent < 0n) throw new RangeError('exponent must not be negative');
  if (bitLength(n) < DH_MIN_MODULUS_BITS) throw new RangeError('the DH path needs a modulus of 512 bits or more');
  return dhPow(modulusOf(n), mod(base, n), exponent);
}

/** A fixed base's powers (the proof's v^r, v^z): base^(2^k) once, then each exponent as two chunks below n. */
export function fixedBasePow(base: bigint, n: bigint): (exponent: bigint) => bigint {
  const m = modulusOf(n);
  const k = BigInt(m.chunkBits);
  const high = modPowOpenSsl(base, 1n << k, n);
  const mask = (1n << k) - 1n;
  return (exponent) => {
    if (exponent < 0n) throw new RangeError('exponent must not be negative');
    if (exponent >> (2n * k) !== 0n || bitLength(n) > OPENSSL_RSA_SMALL_MODULUS_BITS) return modPowOpenSsl(base, exponent, n);
    return (modPowOpenSsl(high, exponent >> k, n) * modPowOpenSsl(base, exponent & mask, n)) % n;
  };
}
