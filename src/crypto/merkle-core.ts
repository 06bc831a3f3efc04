/**
 * The platform-neutral half of RFC 9162 Merkle trees: proof paths over any subtree hasher and the
 * consistency verifier over any node hash, so the browser's audit runs the CLI's very check.
 * merkle.ts binds them to node:crypto's SHA-256.
 */
import { bytesEqual } from './primitives.ts';

export type Hash = Uint8Array;
export const HASH_BYTES = 32;

/** The largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH of the leaf range [start, end): lets proofs be computed from any storage of the tree. */
export type SubtreeHasher = (start: number, end: number) => Hash;

function path(sub: SubtreeHasher, m: number, start: number, end: number, out: Hash[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(sub, m, start, start + k, out);
    out.push(sub(start + k, end));
  } else {
    path(sub, m - k, start + k, end, out);
    out.push(sub(start, start + k));
  }
}

/** RFC 9162 §2.1.3.1 PATH(m, D[size]) over any subtree hasher. */
export function inclusionPath(sub: SubtreeHasher, index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError('leaf index out of range');
  const out: Hash[] = [];
  path(sub, index, 0, size, out);
  return out;
}

function subproof(sub: SubtreeHasher, m: number, start: number, end: number, complete: boolean, out: Hash[]): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push(sub(start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(sub, m, start, start + k, complete, out);
    out.push(sub(start + k, end));
  } else {
    subproof(sub, m - k, start + k, end, false, out);
    out.push(sub(start, start + k));
  }
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) over any subtree hasher. */
export function consistencyPath(sub: SubtreeHasher, size1: number, size2: number): Hash[] {
  if (!(size1 >= 0 && size1 <= size2)) throw new RangeError('size1 must be in 0..size2');
  // Nothing to prove for an empty or an identical tree.
  if (size1 === 0 || size1 === size2) return [];
  const out: Hash[] = [];
  subproof(sub, size1, 0, size2, true, out);
  return out;
}

export const equal = bytesEqual;
export const wellFormed = (hashes: readonly Uint8Array[]) => hashes.every((h) => h.length === HASH_BYTES);
export const isSafeIndex = (x: number) => Number.isSafeInteger(x) && x >= 0;

// Math.log2 is exact on powers of two, and works beyond the 32 bits of `x & (x - 1)`.
const isPowerOfTwo = (x: number) => x > 0 && Number.isInteger(Math.log2(x));

/**
 * RFC 9162 §2.1.4.2, with the trivial cases (size1 = 0, size1 = size2) decided as transparency-dev/merkle
 * does; `nodeHash` is the platform's (merkle.ts binds node:crypto's).
 */
export function verifyConsistencyWith(nodeHash: (left: Hash, right: Hash) => Hash, size1: number, size2: number, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  if (!isSafeIndex(size1) || !isSafeIndex(size2) || size1 > size2) return false;
  if (!wellFormed(proof)) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  if (root1.length !== HASH_BYTES || root2.length !== HASH_BYTES) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Hash;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

