/** The in-memory Merkle tree (merkle-tree-core.ts) over node:crypto's SHA-256. */
import { EMPTY_TREE_HASH, nodeHash } from './merkle.ts';
import { MerkleTreeOf } from './merkle-tree-core.ts';

export class MerkleTree extends MerkleTreeOf {
  constructor() {
    super(nodeHash, EMPTY_TREE_HASH);
  }
}
