/**
 * Byte strings, big integers and base64url shared by the primitives. No Node built-in: the browser's
 * audit imports it too (Node's Buffer, when there is one, does the encodings: it is faster).
 */

const textEncoder = new TextEncoder();

/** The part of Node's Buffer used here, typed locally so that the module also compiles for the browser. */
interface NodeBufferLike extends Uint8Array {
  toString(encoding?: 'hex' | 'base64url'): string;
}
const NodeBuffer = (globalThis as { Buffer?: { from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): NodeBufferLike } }).Buffer;

/**
 * `length` bytes from the platform's CSPRNG (Node 20 and browsers both have the Web Crypto global;
 * getRandomValues caps one call at 65,536 bytes).
 */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const webCrypto = (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  for (let at = 0; at < length; at += 65_536) webCrypto.getRandomValues(out.subarray(at, Math.min(length, at + 65_536)));
  return out;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = new Map([...B64URL].map((c, i) => [c, i]));

function hexBytes(clean: string): Uint8Array {
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(clean, 'hex'));
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Decodes text already checked to be canonical unpadded base64url. */
function base64urlBytes(text: string): Uint8Array {
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(text, 'base64url'));
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const c of text) {
    acc = (acc << 6) | (B64URL_VALUE.get(c) as number);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// Node 20 and current browsers have String.prototype.isWellFormed (the ES2022 lib this project
// compiles against does not type it); the expression is for older browsers, with the same answers.
const nativeIsWellFormed = (String.prototype as unknown as { isWellFormed?: () => boolean }).isWellFormed;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True unless `text` holds a lone surrogate, which UTF-8 encoding would silently turn into U+FFFD. */
export const isWellFormedText = (text: string): boolean => (nativeIsWellFormed ? nativeIsWellFormed.call(text) : !LONE_SURROGATE.test(text));

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

/** Four big-endian bytes of the length, then the bytes: the framing of every hashed or encoded field. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, bytes.length);
  return concatBytes(prefix, bytes);
}

export function toHex(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b] as string;
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError('not a hex string');
  return hexBytes(clean);
}

export function toBase64url(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64URL[(n >> (18 - 6 * j)) & 63];
  }
  return out;
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
  return base64urlBytes(text);
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
  return hexBytes(hex.padStart(length * 2, '0'));
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
