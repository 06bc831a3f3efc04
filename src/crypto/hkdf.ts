/**
 * HKDF-SHA256 (RFC 5869) as its HMACs: hkdfSync costs about three times as much per call (docs/crypto.md).
 */
import { createHmac } from 'node:crypto';

export const HKDF_SHA256_MAX_LENGTH = 255 * 32;
const ZERO_SALT = new Uint8Array(32);
const FIRST_BLOCK = new Uint8Array([1]);

/** OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, length). An empty salt means HashLen zeros (RFC 5869 §2.2). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(`HKDF-SHA256 length must be 1..${HKDF_SHA256_MAX_LENGTH}`);
  }
  const prk = createHmac('sha256', salt.length === 0 ? ZERO_SALT : salt).update(ikm).digest();
  if (length <= 32) {
    const t1 = createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest();
    prk.fill(0);
    if (length === 32) return new Uint8Array(t1.buffer, t1.byteOffset, 32);
    const out = new Uint8Array(t1.subarray(0, length));
    t1.fill(0);
    return out;
  }
  const okm = new Uint8Array(Math.ceil(length / 32) * 32);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1; (i - 1) * 32 < length; i++) {
    previous = createHmac('sha256', prk).update(previous).update(info).update(new Uint8Array([i])).digest();
    okm.set(previous, (i - 1) * 32);
  }
  prk.fill(0);
  const out = okm.slice(0, length);
  okm.fill(0);
  return out;
}

/** The extract step alone (hkdfSync does not expose it), so the RFC's PRK values can be checked. */
export function hkdfSha256Extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', salt.length === 0 ? new Uint8Array(32) : salt).update(ikm).digest());
}
