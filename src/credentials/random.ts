/**
 * Randomness is passed in (tests can make issuance deterministic); production uses the OS CSPRNG
 * (OpenSSL's, through node:crypto).
 *
 * Drawn 4 KiB at a time: a call to randomBytes costs ~10 µs here whatever its size, and every
 * credential letter takes five draws of 12-32 bytes. The bytes handed out are copied out of the
 * pool and wiped from it at once, so the pool only ever holds bytes nobody has been given yet.
 */
import { randomFillSync } from 'node:crypto';

export type RandomBytes = (length: number) => Uint8Array;

const POOL_BYTES = 4096;
/** Requests above this size are drawn directly: the pool is for the many small ones. */
const POOLED_MAX = 256;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;

export const secureRandom: RandomBytes = (length) => {
  if (length > POOLED_MAX) return randomFillSync(new Uint8Array(length));
  if (used + length > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.slice(used, used + length);
  pool.fill(0, used, used + length);
  used += length;
  return out;
};
