/** Byte strings, big integers and base64url for the browser: the same spellings as src/crypto/bytes.ts, without Buffer. */

const encoder = new TextEncoder();

/** A failure of browser crypto or of an encoding, with a stable code (its message never holds a secret). */
export class WebCryptoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebCryptoError';
  }
}

/** True unless `text` holds a lone surrogate, which UTF-8 encoding would silently turn into U+FFFD. */
export function isWellFormedText(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
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

/** Four big-endian bytes of the length, then the bytes: the framing of every hashed field. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, bytes.length);
  return concatBytes(prefix, bytes);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError('not a hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;

/** Unpadded base64url. */
export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict unpadded base64url, exactly as src/crypto/bytes.ts reads it: only the spelling toBase64url
 * produces (unused trailing bits must be zero); undefined otherwise.
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL_TEXT.test(text)) return undefined;
  if (tail !== 0 && (ALPHABET.indexOf(text.charAt(text.length - 1)) & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const ch of text) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** OS2IP (RFC 8017 §4.2). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + toHex(bytes));
}

/** I2OSP (RFC 8017 §4.1): exactly `length` big-endian bytes. */
export function bigIntToBytes(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new RangeError('integer is negative');
  const hex = x.toString(16);
  if (hex.length > length * 2) throw new RangeError('integer too large');
  return fromHex(hex.padStart(length * 2, '0'));
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function mod(a: bigint, n: bigint): bigint {
  const r = a % n;
  return r < 0n ? r + n : r;
}

/** Square-and-multiply; used only with public exponents (timing reveals nothing secret there). */
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

/** `length` bytes from the browser's CSPRNG (getRandomValues caps one call at 65,536 bytes). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65_536)));
  return out;
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

/**
 * The bytes as a BufferSource WebCrypto accepts under TypeScript's strict ArrayBuffer typing (a
 * view on a SharedArrayBuffer or with a generic buffer type is copied).
 */
export function bs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * A WebCrypto key, named through the global `crypto` so the same source type-checks under the DOM
 * library (the booth) and under Node's types (the tests), where CryptoKey is not a global name.
 */
export type WebKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bs(bytes)));
}

export async function sha384(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-384', bs(bytes)));
}
