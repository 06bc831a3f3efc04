/**
 * CSPRNG bytes drawn 4 KiB at a time (a randomBytes call costs ~10 µs whatever its size). Bytes handed
 * out are wiped from the pool at once, so it only holds bytes nobody has been given.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const POOLED_MAX = 256;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `length` fresh random bytes, as a Buffer of its own. */
export function pooledRandomBytes(length: number): Buffer {
  if (length > POOLED_MAX) return randomFillSync(Buffer.alloc(length));
  if (used + length > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + length));
  pool.fill(0, used, used + length);
  used += length;
  return out;
}
