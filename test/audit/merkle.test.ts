/**
 * The Merkle tree against Certificate Transparency's published vectors (transparency-dev/merkle,
 * transcribed in vectors/rfc6962-merkle.json), and against a naive implementation written here
 * straight from RFC 9162's recursive definitions over leaf DATA (with @noble/hashes' SHA-256, not
 * OpenSSL), for every inclusion and consistency proof of many tree sizes.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  EMPTY_TREE_HASH,
  MerkleFrontier,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromInclusionProof,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/crypto/merkle.ts';
import { MerkleTree } from '../../src/crypto/merkle-tree.ts';

interface Vectors {
  leaves: string[];
  emptyTreeHash: string;
  rootsBySize: string[];
  inclusionProofs: { leaf: number; size: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
}
const V = JSON.parse(readFileSync(new URL('./vectors/rfc6962-merkle.json', import.meta.url), 'utf8')) as Vectors;
const h = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const vectorLeaves = V.leaves.map((l) => leafHash(h(l)));

// ---- the naive reference: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 on data lists -------------------------
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1); // largest power of two < n, n > 1
function MTH(D: Uint8Array[]): Uint8Array {
  if (D.length === 0) return sha256(new Uint8Array(0));
  if (D.length === 1) return sha256(cat(new Uint8Array([0]), D[0]!));
  const s = k(D.length);
  return sha256(cat(new Uint8Array([1]), MTH(D.slice(0, s)), MTH(D.slice(s))));
}
function PATH(m: number, D: Uint8Array[]): Uint8Array[] {
  if (D.length === 1) return [];
  const s = k(D.length);
  return m < s ? [...PATH(m, D.slice(0, s)), MTH(D.slice(s))] : [...PATH(m - s, D.slice(s)), MTH(D.slice(0, s))];
}
function SUBPROOF(m: number, D: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === D.length) return b ? [] : [MTH(D)];
  const s = k(D.length);
  return m <= s ? [...SUBPROOF(m, D.slice(0, s), b), MTH(D.slice(s))] : [...SUBPROOF(m - s, D.slice(s), false), MTH(D.slice(0, s))];
}
const PROOF = (m: number, D: Uint8Array[]) => SUBPROOF(m, D, true);

describe('Merkle tree: published vectors (transparency-dev/merkle)', () => {
  it('hashes the empty tree and every prefix of the 8 leaves to the published roots', () => {
    expect(hex(EMPTY_TREE_HASH)).toBe(V.emptyTreeHash);
    const frontier = MerkleFrontier.empty();
    for (let size = 1; size <= 8; size++) {
      expect(hex(treeHash(vectorLeaves, size))).toBe(V.rootsBySize[size - 1]);
      frontier.append(vectorLeaves[size - 1]!);
      expect(hex(frontier.root())).toBe(V.rootsBySize[size - 1]);
    }
  });

  it('produces and verifies the published inclusion proofs, and refuses corrupted ones', () => {
    for (const p of V.inclusionProofs) {
      const index = p.leaf - 1;
      const root = h(V.rootsBySize[p.size - 1]!);
      expect(inclusionProof(vectorLeaves, index, p.size).map(hex)).toEqual(p.proof);
      const proof = p.proof.map(h);
      const leaf = vectorLeaves[index]!;
      expect(verifyInclusion(index, p.size, leaf, proof, root)).toBe(true);
      // The corruptions of transparency-dev's verify_test.go.
      expect(verifyInclusion(index + 1, p.size, leaf, proof, root)).toBe(false);
      if (index > 0) expect(verifyInclusion(index - 1, p.size, leaf, proof, root)).toBe(false);
      expect(verifyInclusion(index, p.size * 2, leaf, proof, root)).toBe(false);
      expect(verifyInclusion(index, p.size, h('00'.repeat(32)), proof, root)).toBe(false);
      expect(verifyInclusion(index, p.size, leaf, proof, EMPTY_TREE_HASH)).toBe(false);
      expect(verifyInclusion(index, p.size, leaf, [...proof, root], root)).toBe(false);
      expect(verifyInclusion(index, p.size, leaf, [root, ...proof], root)).toBe(false);
      expect(verifyInclusion(index, p.size, leaf, [...proof, new Uint8Array(0)], root)).toBe(false);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((x) => new Uint8Array(x));
        bad[i]![0]! ^= 8;
        expect(verifyInclusion(index, p.size, leaf, bad, root)).toBe(false);
      }
      if (proof.length > 0) expect(verifyInclusion(index, p.size, leaf, proof.slice(0, -1), root)).toBe(false);
    }
  });

  it('produces and verifies the published consistency proofs, and refuses corrupted ones', () => {
    for (const p of V.consistencyProofs) {
      const root1 = h(V.rootsBySize[p.size1 - 1]!);
      const root2 = h(V.rootsBySize[p.size2 - 1]!);
      expect(consistencyProof(vectorLeaves, p.size1, p.size2).map(hex)).toEqual(p.proof);
      const proof = p.proof.map(h);
      expect(verifyConsistency(p.size1, p.size2, root1, root2, proof)).toBe(true);
      if (proof.length === 0) continue;
      expect(verifyConsistency(p.size1 - 1, p.size2, root1, root2, proof)).toBe(false);
      expect(verifyConsistency(p.size1 + 1, p.size2, root1, root2, proof)).toBe(false);
      expect(verifyConsistency(p.size1, p.size2 * 2, root1, root2, proof)).toBe(false);
      expect(verifyConsistency(p.size1, p.size2, root2, root1, proof)).toBe(false);
      expect(verifyConsistency(p.size1, p.size2, root1, root2, [])).toBe(false);
      expect(verifyConsistency(p.size1, p.size2, root1, root2, [...proof, root1])).toBe(false);
      expect(verifyConsistency(p.size1, p.size2, root1, root2, [root2, ...proof])).toBe(false);
      expect(verifyConsistency(p.size1, p.size2, root1, root2, proof.slice(0, -1))).toBe(false);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((x) => new Uint8Array(x));
        bad[i]![0]! ^= 16;
        expect(verifyConsistency(p.size1, p.size2, root1, root2, bad)).toBe(false);
      }
    }
  });

  it('decides the trivial consistency cases like transparency-dev/merkle', () => {
    const a = h('11'.repeat(32));
    const b = h('22'.repeat(32));
    expect(verifyConsistency(0, 0, a, a, [])).toBe(true);
    expect(verifyConsistency(0, 1, a, b, [])).toBe(true);
    expect(verifyConsistency(1, 1, b, b, [])).toBe(true);
    expect(verifyConsistency(1, 1, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 0, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 2, a, b, [])).toBe(false);
    expect(verifyConsistency(1, 1, a, a, [EMPTY_TREE_HASH])).toBe(false);
    expect(rootFromInclusionProof(0, 0, a, [])).toBeUndefined();
    expect(verifyInclusion(0, 1, a, [], a)).toBe(true);
    expect(verifyInclusion(0, 1, a, [], b)).toBe(false);
  });
});

describe('Merkle tree: cross-check against the naive recursive definition', () => {
  // Every size up to 33 (all shapes of small trees), then random sizes up to 300.
  const sizes = [...Array.from({ length: 33 }, (_, i) => i + 1)];
  let seed = 20240601;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  while (sizes.length < 40) sizes.push(34 + Math.floor(rand() * 267));
  sizes.push(300);

  it.each(sizes)('size %i: root, frontier, every inclusion proof and every consistency proof', (n) => {
    const data = Array.from({ length: n }, (_, i) => new Uint8Array(Buffer.from(`leaf ${i} of ${n}`)));
    const leaves = data.map(leafHash);
    const frontier = MerkleFrontier.empty();
    for (let m = 1; m <= n; m++) {
      frontier.append(leaves[m - 1]!);
      if (m === n || m % 17 === 0) expect(hex(frontier.root())).toBe(hex(MTH(data.slice(0, m))));
    }
    const root = MTH(data);
    expect(hex(treeHash(leaves))).toBe(hex(root));
    const tree = new MerkleTree();
    for (const l of leaves) tree.append(l);
    expect(hex(tree.root())).toBe(hex(root));
    // Saved and restored, the frontier goes on growing to the same root.
    const restored = MerkleFrontier.restore(frontier.size, frontier.toJSON().nodes);
    restored.append(leafHash(new Uint8Array([1])));
    frontier.append(leafHash(new Uint8Array([1])));
    expect(hex(restored.root())).toBe(hex(frontier.root()));

    for (let m = 0; m < n; m++) {
      const naive = PATH(m, data);
      const ours: Hash[] = inclusionProof(leaves, m);
      expect(ours.map(hex)).toEqual(naive.map(hex));
      expect(tree.inclusionProof(m).map(hex)).toEqual(naive.map(hex));
      expect(verifyInclusion(m, n, leaves[m]!, naive, root)).toBe(true);
      if (n > 1) expect(verifyInclusion((m + 1) % n, n, leaves[m]!, naive, root)).toBe(false);
    }
    for (let m = 1; m <= n; m++) {
      const naive = PROOF(m, data);
      const ours = consistencyProof(leaves, m, n);
      expect(ours.map(hex)).toEqual(naive.map(hex));
      expect(tree.consistencyProof(m).map(hex)).toEqual(naive.map(hex));
      const oldRoot = MTH(data.slice(0, m));
      expect(hex(tree.root(m))).toBe(hex(oldRoot));
      expect(verifyConsistency(m, n, oldRoot, root, naive)).toBe(true);
      if (m < n) {
        expect(verifyConsistency(m, n, root, root, naive)).toBe(false);
        const bad = naive.map((x) => new Uint8Array(x));
        bad[bad.length - 1]![31]! ^= 1;
        expect(verifyConsistency(m, n, oldRoot, root, bad)).toBe(false);
      }
    }
  });
});
