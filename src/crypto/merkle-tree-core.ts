/**
 * A whole Merkle tree in memory as its levels, packed 32 bytes a slot (about 64 bytes a leaf): any
 * aligned perfect subtree is a lookup, so every proof costs O(log² n) hashes. Over any platform's
 * node hash (merkle-tree.ts binds node:crypto's; the browser's audit, @noble's).
 */
import { HASH_BYTES, consistencyPath, inclusionPath, splitPoint, type Hash } from './merkle-core.ts';

class HashArray {
  private buf = new Uint8Array(HASH_BYTES * 1024);
  length = 0;
  push(h: Hash): void {
    this.pushMany(h, 0, 1);
  }
  /** Appends `count` hashes packed in `src` from byte `offset`. */
  pushMany(src: Uint8Array, offset: number, count: number): void {
    const bytes = count * HASH_BYTES;
    let size = this.buf.length;
    while ((this.length + count) * HASH_BYTES > size) size *= 2;
    if (size !== this.buf.length) {
      const bigger = new Uint8Array(size);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf.set(src.subarray(offset, offset + bytes), this.length * HASH_BYTES);
    this.length += count;
  }
  get(i: number): Hash {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + i * HASH_BYTES, HASH_BYTES);
  }
}

export class MerkleTreeOf {
  private readonly levels: HashArray[] = [new HashArray()];

  constructor(
    private readonly nodeHash: (left: Hash, right: Hash) => Hash,
    private readonly emptyTreeHash: Hash,
  ) {}

  get size(): number {
    return (this.levels[0] as HashArray).length;
  }

  leaf(i: number): Hash {
    return (this.levels[0] as HashArray).get(i);
  }

  append(leaf: Hash): void {
    if (leaf.length !== HASH_BYTES) throw new RangeError('a leaf hash is 32 bytes');
    (this.levels[0] as HashArray).push(leaf);
    this.carry(0);
  }

  /** Hashes the completed pairs upwards from level h's newest slot: the nodes an append completes. */
  private carry(h: number): void {
    let i = (this.levels[h] as HashArray).length - 1;
    for (; i % 2 === 1; h++) {
      const level = this.levels[h] as HashArray;
      const parent = this.nodeHash(level.get(i - 1), level.get(i));
      (this.levels[h + 1] ??= new HashArray()).push(parent);
      i = (i - 1) / 2;
    }
  }

  /** Appends an aligned perfect subtree of n = 2^k leaves given with all its levels (as leaf-batch.ts makes them). */
  appendPerfectSubtree(levels: Uint8Array, n: number): void {
    if (n < 1 || (n & (n - 1)) !== 0 || this.size % n !== 0) throw new RangeError('a perfect subtree must be aligned');
    if (levels.length !== (2 * n - 1) * HASH_BYTES) throw new RangeError('a perfect subtree of n leaves has 2n - 1 hashes');
    let offset = 0;
    let h = 0;
    for (let width = n; width >= 1; width >>= 1, h++) {
      (this.levels[h] ??= new HashArray()).pushMany(levels, offset, width);
      offset += width * HASH_BYTES;
    }
    // The subtree's root, at level h - 1, completes pairs above it as a leaf does from level 0.
    this.carry(h - 1);
  }

  /** MTH(D[start:end]). */
  readonly subtree = (start: number, end: number): Hash => {
    const n = end - start;
    if (n === 0) return this.emptyTreeHash;
    if (end > this.size || start < 0) throw new RangeError('range beyond the tree');
    // An aligned perfect subtree is stored: n = 2^h and start a multiple of n.
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const h = Math.log2(n);
      const level = this.levels[h];
      if (level && start / n < level.length) return level.get(start / n);
    }
    const k = splitPoint(n);
    return this.nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  };

  root(size = this.size): Hash {
    return this.subtree(0, size);
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    if (size > this.size) throw new RangeError('tree size exceeds the number of leaves');
    return inclusionPath(this.subtree, index, size);
  }

  consistencyProof(size1: number, size2 = this.size): Hash[] {
    if (size2 > this.size) throw new RangeError('tree size exceeds the number of leaves');
    return consistencyPath(this.subtree, size1, size2);
  }
}
