/**
 * Random bytes from the OS CSPRNG (OpenSSL's, through node:crypto), drawn 4 KiB at a time.
 *
 * A call to randomBytes costs ~10 µs here whatever its size, and the hot paths take several
 * small draws each: five per credential letter, three per voter login. The bytes handed out are
 * copied out of the pool and wiped from it at once, so the pool only ever holds bytes nobody has
 * been given yet. Large requests are drawn directly.
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
