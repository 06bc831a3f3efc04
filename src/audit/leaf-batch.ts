/**
 * Leaf hashing of a batch of export event lines, in the audit workers; an aligned batch also returns
 * its perfect subtree's levels. A canonical line is hashed from its own characters (docs/audit.md).
 * Over any platform's hashes: the CLI's workers pass node:crypto's, the browser's audit @noble's.
 */
import { canonicalObjectMembers, type CanonicalMember } from '../crypto/canonical-scan.ts';
import { canonicalEntryText, type LogEntry } from '../domain/log-entry-text.ts';
import { HASH_BYTES, type Hash } from '../crypto/merkle-core.ts';
import { toHex } from '../crypto/bytes.ts';
import type { CryptoPrimitives } from '../crypto/primitives.ts';

type LeafHashing = Pick<CryptoPrimitives, 'leafHashOfText' | 'nodeHash'>;

/** The first line of a batch whose leaf hash is not the recomputed one, named for the report. */
export interface LeafMismatch {
  index: number;
  position: unknown;
  streamId: unknown;
  type: unknown;
  leafIndex: unknown;
}

export interface LeafBatchResult {
  /** Level 0 (leaf hashes), then for an aligned batch each level up to its root; after a mismatch, the leaves before it. */
  hashes: ArrayBuffer;
  /** Number of levels in `hashes`: 1, or log2(n) + 1 for an aligned batch. */
  levels: number;
  mismatch?: LeafMismatch;
}

/** A line's members, in the order a canonical export line has them. */
const LINE_KEYS = ['data', 'leafHash', 'leafIndex', 'position', 'revision', 'streamId', 'type'] as const;

/** The line's leaf hash, from its characters when canonical, else from the parsed entry; and whether `leafHash` names it. */
export function lineLeafHash(crypto: LeafHashing, line: string): { leaf: Hash; matches: boolean } {
  const members = canonicalObjectMembers(line);
  if (members?.length === LINE_KEYS.length && members.every((m, i) => m.key === LINE_KEYS[i])) {
    const leafHash = members[1] as CanonicalMember;
    const position = members[3] as CanonicalMember;
    // '{"data":…,' then '"position":…}': canonicalEntryText's text, the leaf members left out.
    const leaf = crypto.leafHashOfText(line.slice(0, leafHash.start) + line.slice(position.start));
    // The member's value as written; canonical, so a string value is exactly its quoted characters.
    const claimed = line.slice(leafHash.start + '"leafHash":'.length, leafHash.end);
    return { leaf, matches: claimed === `"${toHex(leaf)}"` };
  }
  const entry = JSON.parse(line) as LogEntry & { leafHash?: unknown };
  const leaf = crypto.leafHashOfText(canonicalEntryText(entry));
  return { leaf, matches: toHex(leaf) === entry.leafHash };
}

/** `aligned`: the batch's length is a power of two and its first leaf index a multiple of it. */
export function hashLeafBatch(crypto: LeafHashing, lines: readonly string[], aligned: boolean): LeafBatchResult {
  const n = lines.length;
  const levels = aligned ? Math.log2(n) + 1 : 1;
  // Its own ArrayBuffer (not a shared pool's), so it can be transferred without a copy.
  const out = new Uint8Array((aligned ? 2 * n - 1 : n) * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    const { leaf, matches } = lineLeafHash(crypto, lines[i] as string);
    if (!matches) {
      // The leaves before it still count: a checkpoint among them may be the first failure.
      const before = out.buffer.slice(0, i * HASH_BYTES) as ArrayBuffer;
      const line = JSON.parse(lines[i] as string) as Partial<LogEntry> & { leafIndex?: unknown };
      return { hashes: before, levels: 1, mismatch: { index: i, position: line.position, streamId: line.streamId, type: line.type, leafIndex: line.leafIndex } };
    }
    out.set(leaf, i * HASH_BYTES);
  }
  // Each level follows the one below it: level h holds n >> h hashes.
  let below = 0;
  let at = n;
  for (let width = n >> 1; aligned && width >= 1; width >>= 1) {
    for (let i = 0; i < width; i++) {
      const left = out.subarray((below + 2 * i) * HASH_BYTES, (below + 2 * i + 1) * HASH_BYTES);
      const right = out.subarray((below + 2 * i + 1) * HASH_BYTES, (below + 2 * i + 2) * HASH_BYTES);
      out.set(crypto.nodeHash(left, right), (at + i) * HASH_BYTES);
    }
    below = at;
    at += width;
  }
  return { hashes: out.buffer as ArrayBuffer, levels };
}
