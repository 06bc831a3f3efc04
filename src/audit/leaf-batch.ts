/**
 * Leaf hashing of a batch of export event lines, the verifier's per-event work that does not depend
 * on the events before it, so it runs in the audit workers while the main thread replays the
 * lifecycle. For each line (JSON text, as exported): recompute the leaf hash from the entry's
 * canonical JSON (log-entry.ts: the line's own bytes are never trusted) and compare it with the
 * line's `leafHash`. A batch that starts at a multiple of its own size (a power of two) also gets the
 * levels of its perfect subtree, so the main thread's tree takes them without hashing a node.
 *
 * The export writes each line as canonical JSON with the entry's members and the two leaf members
 * in key order (data, leafHash, leafIndex, position, …). When a line is checked to be exactly that
 * (canonical-scan.ts), the entry's canonical text is the line without its leaf members, and is
 * hashed from the line's own characters: a third of the cost of parsing the line and writing the
 * entry again, which is what any other line still gets (the two give the same text; tested).
 */
import { canonicalObjectMembers, type CanonicalMember } from '../crypto/canonical-scan.ts';
import { canonicalEntryText, type LogEntry } from '../domain/log-entry.ts';
import { HASH_BYTES, leafHashOfText, nodeHash, type Hash } from '../crypto/merkle.ts';

/** The first line of a batch whose leaf hash is not the recomputed one, named for the report. */
export interface LeafMismatch {
  /** Index of the line in the batch. */
  index: number;
  position: unknown;
  streamId: unknown;
  type: unknown;
  leafIndex: unknown;
}

export interface LeafBatchResult {
  /**
   * Level 0 (the leaf hashes, one per line), then, for an aligned batch, level 1 (n/2 node hashes)
   * and so on up to the batch's root: 32 bytes a hash. After a mismatch: the leaf hashes before it.
   */
  hashes: ArrayBuffer;
  /** Number of levels in `hashes`: 1, or log2(n) + 1 for an aligned batch. */
  levels: number;
  mismatch?: LeafMismatch;
}

/** A line's members, in the order a canonical export line has them. */
const LINE_KEYS = ['data', 'leafHash', 'leafIndex', 'position', 'revision', 'streamId', 'type'] as const;

/**
 * The line's leaf hash and whether its `leafHash` member names it. From the line's characters when
 * it is a canonical export line; otherwise from the parsed entry, written out by canonicalEntryText.
 */
export function lineLeafHash(line: string): { leaf: Hash; matches: boolean } {
  const members = canonicalObjectMembers(line);
  if (members?.length === LINE_KEYS.length && members.every((m, i) => m.key === LINE_KEYS[i])) {
    const leafHash = members[1] as CanonicalMember;
    const position = members[3] as CanonicalMember;
    // '{"data":…,' then '"position":…}': canonicalEntryText's text, the leaf members left out.
    const leaf = leafHashOfText(line.slice(0, leafHash.start) + line.slice(position.start));
    // The member's value as written; canonical, so a string value is exactly its quoted characters.
    const claimed = line.slice(leafHash.start + '"leafHash":'.length, leafHash.end);
    return { leaf, matches: claimed === `"${(leaf as Buffer).toString('hex')}"` };
  }
  const entry = JSON.parse(line) as LogEntry & { leafHash?: unknown };
  const leaf = leafHashOfText(canonicalEntryText(entry));
  return { leaf, matches: (leaf as Buffer).toString('hex') === entry.leafHash };
}

/**
 * `lines`: the batch's event lines, as read. `aligned`: the batch's length is a power of two and its
 * first leaf index a multiple of it.
 */
export function hashLeafBatch(lines: readonly string[], aligned: boolean): LeafBatchResult {
  const n = lines.length;
  const levels = aligned ? Math.log2(n) + 1 : 1;
  // Its own ArrayBuffer (not the shared pool's), so it can be transferred without a copy.
  const out = Buffer.allocUnsafeSlow((aligned ? 2 * n - 1 : n) * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    const { leaf, matches } = lineLeafHash(lines[i] as string);
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
      out.set(nodeHash(left, right), (at + i) * HASH_BYTES);
    }
    below = at;
    at += width;
  }
  return { hashes: out.buffer as ArrayBuffer, levels };
}
