/**
 * HMAC-SHA256 and the constant-time comparison every check of a secret-derived value goes through.
 */
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export const HMAC_SHA256_BYTES = 32;

export function hmacSha256(key: Uint8Array | KeyObject, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

/** True when a and b hold the same bytes; time depends on the (public) lengths only. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    // Still do the work once so a length mismatch is not a fast path worth measuring.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Recomputes the full 32-byte tag and compares in constant time; truncated tags are refused. */
export function verifyHmacSha256(key: Uint8Array | KeyObject, data: Uint8Array | string, tag: Uint8Array): boolean {
  return constantTimeEqual(hmacSha256(key, data), tag);
}
