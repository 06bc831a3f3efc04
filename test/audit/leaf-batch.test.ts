/**
 * Leaf hashing in batches (the verifier's worker side) against the one-event-at-a-time definitions:
 * every leaf hash equals entryLeafHash of its entry, an aligned batch's levels put into a tree give
 * the same roots and proofs as appending its leaves one by one, and a line whose leaf hash does not
 * match is named with the hashes of the lines before it.
 */
import { describe, it, expect } from 'vitest';
import { canonicalJson } from '../../src/crypto/canonical.ts';
import { entryLeafHash, type LogEntry } from '../../src/domain/log-entry.ts';
import { hashLeafBatch, lineLeafHash } from '../../src/audit/leaf-batch.ts';
import { nodePrimitives } from '../../src/crypto/node-primitives.ts';
import { isCanonicalJson } from '../../src/crypto/canonical-scan.ts';
import { HASH_BYTES, leafHash } from '../../src/crypto/merkle.ts';
import { MerkleTree } from '../../src/crypto/merkle-tree.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Export event lines as the export writes them (canonical JSON with leafIndex and leafHash). */
function exportLines(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const entry: LogEntry = {
      position: 10 + 3 * i,
      streamId: `voter-e-${i}`,
      revision: i % 3,
      type: 'VoterRegistered',
      // Unicode, escapes, nesting and numbers: the canonical form is not the naive one.
      data: { electionId: 'e', voterId: `v${i}`, note: `é "${i}"\n\u2028`, z: [1, -0, 1e21, { b: true, a: null }], a: i / 7 },
    };
    return canonicalJson({ ...entry, leafIndex: i, leafHash: hex(entryLeafHash(entry)) });
  });
}

describe('hashLeafBatch', () => {
  it('gives entryLeafHash of every line, and nothing more for an unaligned batch', () => {
    const lines = exportLines(13);
    const r = hashLeafBatch(nodePrimitives, lines, false);
    expect(r.mismatch).toBeUndefined();
    expect(r.levels).toBe(1);
    const hashes = new Uint8Array(r.hashes);
    expect(hashes.length).toBe(13 * HASH_BYTES);
    lines.forEach((l, i) => {
      const e = JSON.parse(l) as LogEntry;
      expect(hex(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))).toBe(hex(entryLeafHash(e)));
    });
  });

  it('recomputes from the entry, so a line re-encoded (not canonical) still hashes to the canonical leaf', () => {
    const [line] = exportLines(1);
    const spaced = JSON.stringify(JSON.parse(line as string), null, 1);
    const r = hashLeafBatch(nodePrimitives, [spaced], false);
    expect(r.mismatch).toBeUndefined();
    expect(hex(new Uint8Array(r.hashes))).toBe((JSON.parse(line as string) as { leafHash: string }).leafHash);
  });

  it('names the first line whose leaf hash does not match, with the leaf hashes before it', () => {
    const lines = exportLines(8);
    lines[5] = (lines[5] as string).replace('"voterId":"v5"', '"voterId":"v6"');
    lines[6] = (lines[6] as string).replace('"voterId":"v6"', '"voterId":"v7"');
    const r = hashLeafBatch(nodePrimitives, lines, true);
    expect(r.mismatch).toEqual({ index: 5, position: 25, streamId: 'voter-e-5', type: 'VoterRegistered', leafIndex: 5 });
    expect(r.hashes.byteLength).toBe(5 * HASH_BYTES);
  });

  it('an aligned batch carries its levels: appended as a perfect subtree, the tree is the one built leaf by leaf', () => {
    const byLeaf = new MerkleTree();
    const byBatch = new MerkleTree();
    const sizes = [8, 8, 1, 3, 4, 8, 16, 2, 16, 32];
    let at = 0;
    for (const size of sizes) {
      const lines = exportLines(size, at);
      for (const l of lines) byLeaf.append(entryLeafHash(JSON.parse(l) as LogEntry));
      const aligned = at % size === 0;
      const r = hashLeafBatch(nodePrimitives, lines, aligned);
      const hashes = new Uint8Array(r.hashes);
      if (aligned) {
        expect(r.levels).toBe(Math.log2(size) + 1);
        byBatch.appendPerfectSubtree(hashes, size);
      } else {
        for (let i = 0; i < size; i++) byBatch.append(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
      }
      at += size;
    }
    expect(byBatch.size).toBe(at);
    for (let n = 1; n <= at; n++) expect(hex(byBatch.root(n))).toBe(hex(byLeaf.root(n)));
    for (const [a, b] of [[1, at], [7, 24], [24, 56], [33, 98], [64, at]] as const) {
      expect(byBatch.consistencyProof(a, b).map(hex)).toEqual(byLeaf.consistencyProof(a, b).map(hex));
    }
    expect(byBatch.inclusionProof(41).map(hex)).toEqual(byLeaf.inclusionProof(41).map(hex));
  });
});

describe('lineLeafHash', () => {
  /** The definition: parse the line, write the entry's canonical JSON, hash it. */
  const parsedLeaf = (line: string) => {
    const e = JSON.parse(line) as LogEntry & { leafHash: unknown };
    const leaf = entryLeafHash(e);
    return { leaf: hex(leaf), matches: hex(leaf) === e.leafHash };
  };
  const leafOf = (line: string) => {
    const r = lineLeafHash(nodePrimitives, line);
    return { leaf: hex(r.leaf), matches: r.matches };
  };

  it('hashes a canonical export line from its characters, to the leaf the parsed entry gives', () => {
    for (const line of exportLines(20)) {
      expect(isCanonicalJson(line)).toBe(true);
      expect(leafOf(line)).toEqual({ ...parsedLeaf(line), matches: true });
    }
  });

  it('gives the parsed entry\'s leaf for lines that are not canonical export lines', () => {
    const [line] = exportLines(1) as [string];
    const o = JSON.parse(line) as Record<string, unknown>;
    const variants = [
      JSON.stringify(o, null, 1),
      // Keys out of order, an extra member, a missing leaf member, a number leaf hash, an escaped character.
      JSON.stringify({ type: o.type, ...o }),
      canonicalJson({ ...o, extra: 1 }),
      canonicalJson({ ...o, leafHash: undefined }),
      canonicalJson({ ...o, leafHash: 7 }),
      line.replace('"leafHash":"', '"leafHash":"\\u0030'),
      line.replace('"voterId":"v0"', '"voterId":"\\u0076\\u0030"'),
    ];
    // Canonical, but not an export line's members: the slow path all the same.
    expect(isCanonicalJson(variants[2] as string)).toBe(true);
    for (const v of variants) expect(leafOf(v), v).toEqual(parsedLeaf(v));
    // The escaped spelling of the same voter id is the same entry: its leaf and its match stand.
    expect(leafOf(variants[6] as string).matches).toBe(true);
  });

  it('finds a changed leaf hash or entry on the fast path', () => {
    const [line] = exportLines(1) as [string];
    const h = (JSON.parse(line) as { leafHash: string }).leafHash;
    const otherHash = line.replace(h, h.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    const otherEntry = line.replace('"voterId":"v0"', '"voterId":"v1"');
    for (const v of [otherHash, otherEntry]) {
      expect(isCanonicalJson(v)).toBe(true);
      expect(leafOf(v)).toEqual({ ...parsedLeaf(v), matches: false });
    }
  });
});

describe('MerkleTree.appendPerfectSubtree', () => {
  it('refuses a subtree that is not aligned or not whole', () => {
    const tree = new MerkleTree();
    tree.append(leafHash(new Uint8Array([1])));
    const four = new Uint8Array(7 * HASH_BYTES);
    expect(() => tree.appendPerfectSubtree(four, 4)).toThrow(RangeError);
    const t2 = new MerkleTree();
    expect(() => t2.appendPerfectSubtree(new Uint8Array(6 * HASH_BYTES), 4)).toThrow(RangeError);
    expect(() => t2.appendPerfectSubtree(new Uint8Array(5 * HASH_BYTES), 3)).toThrow(RangeError);
  });
});
