/**
 * RFC 6962 / RFC 9162 Merkle trees over SHA-256: proofs follow §2.1.3.1 and §2.1.4.1 literally, the
 * verifiers §2.1.3.2 and §2.1.4.2. `MerkleFrontier` keeps the root in O(log n) memory.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { HASH_BYTES, consistencyPath, equal, inclusionPath, isSafeIndex, splitPoint, verifyConsistencyWith, wellFormed, type Hash } from './merkle-core.ts';

// The proof paths and the consistency check are platform-neutral (merkle-core.ts), bound here to node:crypto.
export { HASH_BYTES, consistencyPath, inclusionPath, splitPoint, type Hash, type SubtreeHasher } from './merkle-core.ts';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

// Digests are returned as the Buffer createHash gives (a Uint8Array): no copy on the hot path.
export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** leafHash of a string's UTF-8 bytes ('\u0000' encodes as 0x00); one native call per event. */
export function leafHashOfText(text: string): Hash {
  return oneShotHash('sha256', '\u0000' + text, 'buffer');
}

// One scratch buffer for 0x01 ‖ left ‖ right: hashing it one-shot beats a Hash object per node.
// Synchronous use only, and the digest is a fresh buffer, so sharing the scratch is safe.
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = NODE_PREFIX[0] as number;

export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return oneShotHash('sha256', nodeInput, 'buffer');
}

export const EMPTY_TREE_HASH: Hash = new Uint8Array(createHash('sha256').digest());

/** MTH(D[start:end]) from leaf hashes. */
export function subtreeHash(leaves: readonly Hash[], start: number, end: number): Hash {
  const n = end - start;
  if (n === 0) return EMPTY_TREE_HASH;
  if (n === 1) return leaves[start] as Hash;
  const k = splitPoint(n);
  return nodeHash(subtreeHash(leaves, start, start + k), subtreeHash(leaves, start + k, end));
}

/** MTH of the first `size` leaves (default: all). */
export function treeHash(leaves: readonly Hash[], size = leaves.length): Hash {
  if (size > leaves.length) throw new RangeError('tree size exceeds the number of leaves');
  return subtreeHash(leaves, 0, size);
}

/** RFC 9162 §2.1.4.2 over node:crypto's SHA-256 (merkle-core.ts). */
export function verifyConsistency(size1: number, size2: number, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  return verifyConsistencyWith(nodeHash, size1, size2, root1, root2, proof);
}

/** RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Hash[] {
  if (size > leaves.length) throw new RangeError('tree size exceeds the number of leaves');
  return inclusionPath((a, b) => subtreeHash(leaves, a, b), index, size);
}

/** RFC 9162 §2.1.4.1: proof that the tree of size `size1` is a prefix of the tree of size `size2`. */
export function consistencyProof(leaves: readonly Hash[], size1: number, size2 = leaves.length): Hash[] {
  if (size2 > leaves.length) throw new RangeError('tree size exceeds the number of leaves');
  return consistencyPath((a, b) => subtreeHash(leaves, a, b), size1, size2);
}

/**
 * RFC 9162 §2.1.3.2. Sizes are plain numbers (< 2^53); `Math.floor(x / 2)` stands for a right shift
 * because bitwise operators would truncate to 32 bits.
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash | undefined {
  if (!isSafeIndex(index) || !isSafeIndex(size) || index >= size) return undefined;
  if (leaf.length !== HASH_BYTES || !wellFormed(proof)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== undefined && root.length === HASH_BYTES && equal(computed, root);
}

/** The right edge of a growing tree: one perfect-subtree root per set bit of `size`, largest first. */
export class MerkleFrontier {
  private constructor(
    private readonly nodes: Hash[],
    private count: number,
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier([], 0);
  }

  /** Restores a frontier saved with `toJSON`; throws when the hashes do not fit the size. */
  static restore(size: number, hexNodes: readonly string[]): MerkleFrontier {
    let bits = 0;
    for (let s = size; s > 0; s = Math.floor(s / 2)) bits += s % 2;
    if (!isSafeIndex(size) || bits !== hexNodes.length) throw new RangeError('frontier does not match its size');
    return new MerkleFrontier(
      hexNodes.map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
      size,
    );
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Hash): void {
    let h = leaf;
    // The number of trailing one bits of the old size = how many subtrees the new leaf completes.
    for (let s = this.count; s % 2 === 1; s = Math.floor(s / 2)) h = nodeHash(this.nodes.pop() as Hash, h);
    this.nodes.push(h);
    this.count++;
  }

  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_TREE_HASH;
    let acc = this.nodes[this.nodes.length - 1] as Hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i] as Hash, acc);
    return acc;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier([...this.nodes], this.count);
  }

  toJSON(): { size: number; nodes: string[] } {
    return { size: this.count, nodes: this.nodes.map((n) => Buffer.from(n).toString('hex')) };
  }
}
