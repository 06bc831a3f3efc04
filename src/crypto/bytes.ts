/**
 * Byte strings, big integers and base64url shared by the primitives.
 */
import { randomBytes } from 'node:crypto';

const textEncoder = new TextEncoder();

/** True unless `text` holds a lone surrogate, which UTF-8 encoding would silently turn into U+FFFD. */
// Node 20 has String.prototype.isWellFormed; the ES2022 lib this project compiles against does not type it.
export const isWellFormedText = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError('not a hex string');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict unpadded base64url: only the spelling toBase64url produces (Buffer's decoder would let two
 * strings name one byte string); undefined otherwise. Checked in place, not by re-encoding.
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL_TEXT.test(text)) return undefined;
  if (tail !== 0) {
    const last = BASE64URL_ALPHABET.indexOf(text.charAt(text.length - 1));
    if ((last & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** OS2IP (RFC 8017 §4.2): big-endian bytes to a non-negative integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + toHex(bytes));
}

/** I2OSP (RFC 8017 §4.1): a non-negative integer to exactly `length` big-endian bytes. */
export function bigIntToBytes(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new RangeError('integer is negative');
  const hex = x.toString(16);
  if (hex.length > length * 2) throw new RangeError('integer too large');
  return new Uint8Array(Buffer.from(hex.padStart(length * 2, '0'), 'hex'));
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function mod(a: bigint, n: bigint): bigint {
  const r = a % n;
  return r < 0n ? r + n : r;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = mod(base, modulus);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    e >>= 1n;
    b = (b * b) % modulus;
  }
  return result;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** a^-1 mod n, or undefined when gcd(a, n) != 1. */
export function modInverse(a: bigint, n: bigint): bigint | undefined {
  let [oldR, r] = [mod(a, n), n];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return oldR === 1n ? mod(oldS, n) : undefined;
}

/** Uniform integer in [min, max) by rejection sampling on max's bit length. */
export function randomBigIntInRange(min: bigint, max: bigint): bigint {
  if (max <= min) throw new RangeError('empty range');
  const bits = bitLength(max - 1n);
  const bytes = Math.ceil(bits / 8);
  const excessBits = BigInt(bytes * 8 - bits);
  for (;;) {
    const candidate = bytesToBigInt(randomBytes(bytes)) >> excessBits;
    if (candidate >= min && candidate < max) return candidate;
  }
}
