/**
 * The independent verifier's checks over an `evote-log/v1` export, once for every platform: the CLI
 * runs them on node:crypto with worker threads (verify.ts), the browser in a Web Worker on @noble
 * (web/src/audit/). No Node built-in here. The checks, the work split and the ordering of
 * failures: docs/audit.md.
 */
import { weightClassBounds } from './weight-bounds.ts';
import { voteWeight } from '../domain/weight-classes.ts';
import { VOTE_STATUSES, type VoteStatus } from '../domain/tally-events.ts';
import type { BallotOpening, ElectionPublicKeys, OpenBallotJob } from './ballot-opening.ts';
import { verifyCheckpointWith } from './checkpoint-core.ts';
import { ElectionReplay, isViolation, type CountedBallot, type Violation } from './election-replay.ts';
import { electionLogMatcher, type LogEntry } from '../domain/log-entry-text.ts';
import { logStreamId, witnessStreamId } from '../domain/streams.ts';
import { hashLeafBatch, type LeafBatchResult } from './leaf-batch.ts';
import { LOG_FORMAT, isCheckpointLine, isCosignatureLine, isHeaderLine, type CheckpointLine, type CosignatureLine, type EventLine, type LogLine } from './log-lines.ts';
import { checkWitnesses, type WitnessPolicy } from './witness-check.ts';
import { HASH_BYTES, verifyConsistencyWith } from '../crypto/merkle-core.ts';
import { MerkleTreeOf } from '../crypto/merkle-tree-core.ts';
import { toHex } from '../crypto/bytes.ts';
import type { CryptoPrimitives } from '../crypto/primitives.ts';
import { decideStatus } from './vote-status.ts';
import { recount } from './recount.ts';
import { countedByMethod, type ValidVote } from '../domain/tally-count.ts';
import { completenessGaps } from './completeness.ts';
import { parseFingerprint } from '../crypto/election-fingerprint-core.ts';
import type { AuditFailure, AuditProgress, AuditReport, AuditVerdict } from './report.ts';

/** Workers for the order-independent work (leaf hashing, ballot opening); each call resolves with its batch's results in job order. */
export interface AuditPool {
  /** The election's public keys, for every worker; before the first `open`. */
  setKeys(keys: ElectionPublicKeys): void;
  open(jobs: OpenBallotJob[]): Promise<BallotOpening[]>;
  /** Leaf hashes of export event lines (see hashLeafBatch). */
  hashLeaves(lines: string[], aligned: boolean): Promise<LeafBatchResult>;
  close(): Promise<void>;
}

/** What the checks need of the platform they run on: its primitives and its workers. */
export interface AuditPlatform {
  crypto: CryptoPrimitives;
  /** Started at the first full leaf batch or ballot; `size` is VerifyOptions.workers. */
  createPool(size: number | undefined): AuditPool;
  /** The workers a pool has by default (bounds the leaf batches in flight). */
  parallelism(): number;
}

export interface VerifyOptions {
  onProgress?(p: AuditProgress): void;
  /** Worker threads (default: available parallelism). */
  workers?: number;
  /** Ballots per worker message. Default 256. */
  batchSize?: number;
  /** Event lines per leaf-hashing batch, a power of two. Default 1024. */
  leafBatch?: number;
  /** A running election: a log that is not yet complete is PARTIAL, not INCOMPLETE. */
  live?: boolean;
  /** The expected election fingerprint (64 hex digits; spaces, colons, dashes ignored): any other fails at ElectionCreated. */
  fingerprint?: string;
  /** Witnesses the auditor trusts, and how many must co-sign the final checkpoint (witness-check.ts). */
  witnesses?: WitnessPolicy;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** What the status check keeps of a counted ballot: not its ciphertext nor its line (fewer live objects). */
interface QueuedBallot {
  entry: Pick<LogEntry, 'position' | 'streamId' | 'type'>;
  ballotHash: string;
  claimed: CountedBallot['claimed'];
}

interface Batch {
  ballots: QueuedBallot[];
  /** Export line of each ballot's VoteCounted: ballots after the first failure are not judged. */
  lines: number[];
  results: Promise<BallotOpening[]>;
}

/** Event lines sent to be hashed together; `firstLeaf` is the leaf index of the first. */
interface LeafLines {
  firstLeaf: number;
  lines: number[];
  texts: string[];
}

/** A checkpoint that passed its checks at reading; root, signature and consistency wait for the leaf hashes. */
interface PendingCheckpoint {
  line: number;
  c: CheckpointLine;
  d: CheckpointLine['data'];
}

const DEFAULT_LEAF_BATCH = 1024;

/**
 * Reads the export line by line: ordered checks here, leaf hashes in the workers, each checkpoint
 * checked once its leaves are back. The earliest failure by export line is reported.
 */
class Verifier {
  electionId: string | null = null;
  replay?: ElectionReplay;
  private belongs: (e: { streamId: string; data: unknown }) => boolean = () => false;
  readonly tree: MerkleTreeOf;
  private readonly revisions = new Map<string, number>();
  private lastLeafPosition = -1;
  /** The last event read, and the first one after the last checkpoint read (the lines themselves: no copy per event). */
  lastEvent?: EventLine;
  firstUnsigned?: EventLine;
  private readonly fingerprint?: string;
  /** The last checkpoint line read (its revision and position are checked at reading). */
  private lastCheckpointRead?: { position: number; revision: number };
  /** The last checkpoint whose root, signature and consistency held. */
  private lastVerified?: { size: number; root: Uint8Array };
  private readonly pendingCheckpoints: PendingCheckpoint[] = [];
  private readonly verified: { line: number; size: number; root: string }[] = [];
  /** Witnesses' co-signature lines, judged at the end against the verified checkpoints. */
  readonly cosignatures: { line: number; c: CosignatureLine }[] = [];
  /** Leaves read (event lines past the checks made at reading). */
  leaves = 0;
  /** The first failure found at reading: reading stops there. */
  failure?: AuditFailure;
  /** ElectionCreated and its export line: a wrong fingerprint is named there even when seen one event later. */
  private created?: { entry: LogEntry; line: number };
  /** The first failure of the checks that wait for leaf hashes (leaf hash, checkpoint root/signature/consistency). */
  deferredFailure?: AuditFailure;
  /** Leaves before the deferred failure, for the report's `events` (reading stops at the other kind, so its count is `leaves`). */
  private leavesAtDeferredFailure = 0;
  lineNo = 0;
  publishedLine = 0;
  private pool?: AuditPool;
  private readonly leafBatch: number;
  private readonly maxLeavesInFlight: number;
  private leafLines: LeafLines = { firstLeaf: 0, lines: [], texts: [] };
  /** Applies the hashed leaf batches to the tree in order, as their results arrive. */
  private applied: Promise<void> = Promise.resolve();
  /** One promise per leaf batch sent and not yet applied, oldest first. */
  private readonly leavesInFlight: Promise<void>[] = [];
  private pending: CountedBallot[] = [];
  private pendingLines: number[] = [];
  readonly batches: Batch[] = [];
  ballotsQueued = 0;
  ballotsChecked = 0;

  constructor(
    private readonly platform: AuditPlatform,
    private readonly opts: VerifyOptions,
  ) {
    const { crypto } = platform;
    this.tree = new MerkleTreeOf(crypto.nodeHash, crypto.sha256(new Uint8Array(0)));
    const n = opts.leafBatch ?? DEFAULT_LEAF_BATCH;
    if (!Number.isSafeInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError('leafBatch must be a power of two');
    this.leafBatch = n;
    this.maxLeavesInFlight = 4 * (opts.workers ?? platform.parallelism());
    if (opts.fingerprint !== undefined) {
      this.fingerprint = parseFingerprint(opts.fingerprint);
      if (!this.fingerprint) throw new RangeError('an election fingerprint is 64 hex digits');
    }
  }

  private failureOf(v: Violation, e: { position?: unknown; streamId?: unknown; type?: unknown; leafIndex?: unknown } | undefined, line: number): AuditFailure {
    return {
      ...v,
      position: isInt(e?.position) ? e.position : null,
      streamId: typeof e?.streamId === 'string' ? e.streamId : null,
      type: typeof e?.type === 'string' ? e.type : null,
      ...(isInt(e?.leafIndex) && { leafIndex: e.leafIndex }),
      line,
    };
  }

  fail(v: Violation, e?: { position?: unknown; streamId?: unknown; type?: unknown; leafIndex?: unknown }): void {
    this.failure = this.failureOf(v, e, this.lineNo);
  }

  private failDeferred(f: AuditFailure, leaves: number): void {
    this.deferredFailure = f;
    this.leavesAtDeferredFailure = leaves;
  }

  /** The earliest failure of all: a deferred one on the same line comes first (the leaf hash is checked first). */
  firstFailure(): AuditFailure | undefined {
    const d = this.deferredFailure;
    const s = this.failure;
    if (d && (!s || (d.line ?? 0) <= (s.line ?? 0))) return d;
    return s;
  }

  /** Leaves before the first failure (all leaves when none). */
  eventsChecked(): number {
    const first = this.firstFailure();
    if (!first) return this.leaves;
    return first === this.deferredFailure ? this.leavesAtDeferredFailure : this.leaves;
  }

  /** Checkpoints verified before the first failure, and the last of them. */
  verifiedCheckpoints(): { count: number; head: AuditReport['verifiedHead'] } {
    const limit = this.firstFailure()?.line ?? Infinity;
    let count = 0;
    let head: AuditReport['verifiedHead'] = null;
    for (const v of this.verified) {
      if (v.line >= limit) break;
      count++;
      head = { size: v.size, root: v.root };
    }
    return { count, head };
  }

  /** One line of the export; false once a check failed (reading stops). */
  line(raw: string | LogLine): boolean {
    // A leaf hash or checkpoint found wrong meanwhile: nothing after it can be the first failure.
    if (this.deferredFailure) return false;
    this.lineNo++;
    let line: LogLine;
    if (typeof raw === 'string') {
      if (raw.trim() === '') return true;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        this.fail({ check: 'BAD_LINE', message: 'line is not JSON' });
        return false;
      }
    } else line = raw;
    if (typeof line !== 'object' || line === null || Array.isArray(line)) {
      this.fail({ check: 'BAD_LINE', message: 'line is not a JSON object' });
      return false;
    }
    if (this.electionId === null) return this.header(line);
    if (isHeaderLine(line)) {
      this.fail({ check: 'BAD_LINE', message: 'a second header' });
      return false;
    }
    if (isCheckpointLine(line)) return this.checkpoint(line);
    if (isCosignatureLine(line)) return this.cosignature(line);
    return this.event(line as EventLine, raw);
  }

  private header(line: LogLine): boolean {
    if (!isHeaderLine(line) || line.format !== LOG_FORMAT || typeof line.electionId !== 'string') {
      this.fail({ check: 'BAD_HEADER', message: `the first line must be an ${LOG_FORMAT} header` });
      return false;
    }
    this.electionId = line.electionId;
    this.replay = new ElectionReplay(line.electionId, this.platform.crypto, this.fingerprint);
    this.belongs = electionLogMatcher(line.electionId);
    return true;
  }

  /** The checks made before the leaf hash, at reading. */
  private structural(e: EventLine): Violation | undefined {
    if (!isInt(e.position) || !isInt(e.revision) || typeof e.streamId !== 'string' || typeof e.type !== 'string' || typeof e.data !== 'object' || e.data === null) {
      return { check: 'BAD_LINE', message: 'an event line needs position, streamId, revision, type and data' };
    }
    if (e.leafIndex !== this.leaves) return { check: 'LEAF_INDEX', message: `leaf index ${String(e.leafIndex)}, expected ${this.leaves} (an event is missing or extra)` };
    if (e.position <= this.lastLeafPosition) return { check: 'POSITION_ORDER', message: `position ${e.position} does not follow ${this.lastLeafPosition}` };
    return undefined;
  }

  /** The checks made after the leaf hash, at reading. */
  private membership(e: EventLine): Violation | undefined {
    if (!this.belongs(e)) return { check: 'FOREIGN_EVENT', message: 'the event does not belong to this election' };
    const expected = this.revisions.get(e.streamId) ?? 0;
    if (e.revision !== expected) return { check: 'REVISION_GAP', message: `revision ${e.revision} of ${e.streamId}, expected ${expected}` };
    return undefined;
  }

  private event(e: EventLine, raw: string | LogLine): boolean {
    const bad = this.structural(e);
    if (bad) {
      this.fail(bad, e);
      return false;
    }
    // The leaf hash is checked first, in a worker; a mismatch there wins on this line.
    this.hashLater(typeof raw === 'string' ? raw : JSON.stringify(raw));
    const outside = this.membership(e);
    if (outside) {
      this.fail(outside, e);
      return false;
    }
    const replay = this.replay as ElectionReplay;
    // The line itself is the entry (its leafIndex and leafHash are ignored by the replay).
    const outcome = replay.apply(e);
    if (isViolation(outcome)) {
      const { atCreation, ...violation } = outcome;
      if (atCreation && this.created) this.failure = this.failureOf(violation, this.created.entry, this.created.line);
      else this.fail(violation, e);
      return false;
    }
    if (e.type === 'ElectionCreated') this.created = { entry: e, line: this.lineNo };
    this.leaves++;
    this.revisions.set(e.streamId, e.revision + 1);
    this.lastLeafPosition = e.position;
    this.lastEvent = e;
    this.firstUnsigned ??= e;
    if (outcome) this.queue(outcome);
    else if (e.type === 'ElectionCreated' && replay.keys) this.pool?.setKeys(replay.keys);
    // Start the workers at the first ballot at the latest: they take a while to load, and the
    // VoteCounted they check come only after every ballot, so their start overlaps with reading.
    else if (e.type === 'BallotCast') this.startPool();
    else if (e.type === 'TallyPublished' && replay.published) this.publishedLine = this.lineNo;
    if (this.leaves % 10_000 === 0) this.progress();
    return true;
  }

  private checkpoint(c: CheckpointLine): boolean {
    const eid = this.electionId as string;
    const d = c.data as Partial<CheckpointLine['data']> | undefined;
    const fail = (check: string, message: string) => {
      this.fail({ check, message }, c);
      return false;
    };
    if (!d || !isInt(c.position) || !isInt(c.revision) || !isInt(d.size) || !isInt(d.lastPosition) || typeof d.root !== 'string' || typeof d.signature !== 'string') {
      return fail('BAD_LINE', 'a checkpoint line needs position, revision and data { size, root, lastPosition, signature }');
    }
    if (c.streamId !== logStreamId(eid) || d.electionId !== eid) return fail('FOREIGN_EVENT', 'the checkpoint is not of this election');
    const last = this.lastCheckpointRead;
    const expectedRevision = last ? last.revision + 1 : 0;
    if (c.revision !== expectedRevision) return fail('REVISION_GAP', `checkpoint revision ${c.revision}, expected ${expectedRevision}`);
    if (last && c.position <= last.position) return fail('POSITION_ORDER', 'checkpoint positions are not increasing');
    if (c.position <= this.lastLeafPosition) return fail('POSITION_ORDER', 'a checkpoint is older than the events it covers');
    if (d.size !== this.leaves) return fail('CHECKPOINT_SIZE', `checkpoint of size ${d.size} placed after ${this.leaves} leaves`);
    if (d.lastPosition !== this.lastLeafPosition) return fail('CHECKPOINT_SIZE', `checkpoint ends at position ${d.lastPosition}, its last leaf is at ${this.lastLeafPosition}`);
    this.lastCheckpointRead = { position: c.position, revision: c.revision };
    this.firstUnsigned = undefined;
    this.pendingCheckpoints.push({ line: this.lineNo, c, d: d as CheckpointLine['data'] });
    return true;
  }

  /** Outside the tree: kept for the witness policy (an audit without one ignores them). */
  private cosignature(c: CosignatureLine): boolean {
    const eid = this.electionId as string;
    if (c.streamId !== witnessStreamId(eid) || typeof c.data !== 'object' || c.data === null || c.data.electionId !== eid) {
      this.fail({ check: 'FOREIGN_EVENT', message: 'the co-signature is not of this election' }, c);
      return false;
    }
    if (this.opts.witnesses) this.cosignatures.push({ line: this.lineNo, c });
    return true;
  }

  /** Hex root of the first `size` leaves, undefined past the tree. */
  rootAt(size: number): string | undefined {
    return Number.isSafeInteger(size) && size >= 1 && size <= this.tree.size ? toHex(this.tree.root(size)) : undefined;
  }

  /** Root, signature and consistency of the checkpoints the tree now covers, in order. */
  private verifyDueCheckpoints(): void {
    const eid = this.electionId as string;
    while (!this.deferredFailure && this.pendingCheckpoints.length > 0 && (this.pendingCheckpoints[0] as PendingCheckpoint).d.size <= this.tree.size) {
      const { line, c, d } = this.pendingCheckpoints.shift() as PendingCheckpoint;
      const fail = (check: string, message: string) => this.failDeferred(this.failureOf({ check, message }, c, line), d.size);
      const root = this.tree.root(d.size);
      if (toHex(root) !== d.root) return fail('CHECKPOINT_ROOT', 'the signed root is not the Merkle root of the leaves it covers');
      const logKey = this.replay?.logKey;
      if (!logKey || !verifyCheckpointWith(this.platform.crypto, logKey, { electionId: eid, size: d.size, root: d.root, lastPosition: d.lastPosition }, d.signature)) {
        return fail('CHECKPOINT_SIGNATURE', 'the checkpoint signature does not verify under the log key of ElectionCreated');
      }
      const prev = this.lastVerified;
      if (prev) {
        if (d.size < prev.size) return fail('CHECKPOINT_CONSISTENCY', 'the log shrank');
        const proof = this.tree.consistencyProof(prev.size, d.size);
        if (!verifyConsistencyWith(this.platform.crypto.nodeHash, prev.size, d.size, prev.root, root, proof)) return fail('CHECKPOINT_CONSISTENCY', 'the checkpoint is not consistent with the previous one');
      }
      this.lastVerified = { size: d.size, root };
      this.verified.push({ line, size: d.size, root: d.root });
    }
  }

  private hashLater(text: string): void {
    const batch = this.leafLines;
    batch.texts.push(text);
    batch.lines.push(this.lineNo);
    if (batch.texts.length === this.leafBatch) this.flushLeaves();
  }

  /** Sends the lines read so far to be hashed; the last, partial batch is hashed here when there is no pool. */
  flushLeaves(): void {
    const batch = this.leafLines;
    const n = batch.texts.length;
    if (n === 0) return;
    this.leafLines = { firstLeaf: batch.firstLeaf + n, lines: [], texts: [] };
    // Full batches start at multiples of their size: their subtrees are aligned in the tree.
    const aligned = n === this.leafBatch && batch.firstLeaf % n === 0;
    const result = aligned || this.pool ? this.startPool().hashLeaves(batch.texts, aligned) : Promise.resolve(hashLeafBatch(this.platform.crypto, batch.texts, aligned));
    // The texts are in the message now (or hashed): only their line numbers stay.
    batch.texts = [];
    this.applied = this.applied.then(() => result).then((r) => this.applyLeaves(batch, r, aligned));
    this.leavesInFlight.push(this.applied);
  }

  /** Backpressure: true when more leaf batches wait than keep the workers busy. */
  tooManyLeavesInFlight(): boolean {
    return this.leavesInFlight.length > this.maxLeavesInFlight;
  }

  async leavesCaughtUp(): Promise<void> {
    while (this.tooManyLeavesInFlight()) await this.leavesInFlight.shift();
  }

  private applyLeaves(batch: LeafLines, r: LeafBatchResult, aligned: boolean): void {
    if (this.deferredFailure) return;
    const hashes = new Uint8Array(r.hashes);
    if (aligned && !r.mismatch) this.tree.appendPerfectSubtree(hashes, batch.lines.length);
    else {
      // Level 0 only: a partial batch, or the leaves before a mismatch.
      const count = r.mismatch ? r.mismatch.index : batch.lines.length;
      for (let i = 0; i < count; i++) this.tree.append(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
    }
    this.verifyDueCheckpoints();
    if (r.mismatch && !this.deferredFailure) {
      const m = r.mismatch;
      this.failDeferred(this.failureOf({ check: 'LEAF_HASH', message: 'the event bytes do not hash to its leaf hash' }, m, batch.lines[m.index] as number), batch.firstLeaf + m.index);
    }
  }

  /** Waits for every leaf batch sent and for the checkpoints they complete. */
  async settleLeaves(): Promise<void> {
    this.flushLeaves();
    await this.applied;
    this.leavesInFlight.length = 0;
    this.verifyDueCheckpoints();
  }

  private queue(b: CountedBallot): void {
    this.pending.push(b);
    this.pendingLines.push(this.lineNo);
    this.ballotsQueued++;
    if (this.pending.length >= (this.opts.batchSize ?? 256)) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const ballots = this.pending;
    const lines = this.pendingLines;
    this.pending = [];
    this.pendingLines = [];
    if (!this.replay?.keys) throw new Error('ballots queued before the election keys were read');
    const results = this.startPool().open(ballots.map((b) => ({ ciphertext: b.ciphertext, revealedR: b.revealedR })));
    void results.then(
      () => {
        this.ballotsChecked += ballots.length;
        this.progress();
      },
      () => {},
    );
    this.batches.push({ ballots: ballots.map((b) => ({ entry: { position: b.entry.position, streamId: b.entry.streamId, type: b.entry.type }, ballotHash: b.ballotHash, claimed: b.claimed })), lines, results });
  }

  /** The pool, started at the first full leaf batch or ballot: a log of a few events needs no worker. */
  private startPool(): AuditPool {
    if (!this.pool) {
      this.pool = this.platform.createPool(this.opts.workers);
      if (this.replay?.keys) this.pool.setKeys(this.replay.keys);
    }
    return this.pool;
  }

  progress(): void {
    this.opts.onProgress?.({ events: this.leaves, ballotsQueued: this.ballotsQueued, ballotsChecked: this.ballotsChecked });
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

const failureAt = (v: Violation, e: Pick<LogEntry, 'position' | 'streamId' | 'type'>): AuditFailure => ({ ...v, position: e.position, streamId: e.streamId, type: e.type });

/** Decides every counted ballot's status in log order and compares it with what VoteCounted claims. */
async function checkCountedBallots(
  verifier: Verifier,
  replay: ElectionReplay,
  beforeLine: number,
): Promise<TallyRecount> {
  const validPerWeight = new Map<number, number>();
  // An election counted by its method publishes no counts per text: its VALID ballots go to the recount.
  const byMethod = countedByMethod(replay.state.ballotRules);
  const counts: Record<string, number> = byMethod ? {} : Object.fromEntries(replay.choices.map((c) => [c, 0]));
  const valid: ValidVote[] = [];
  const statuses: Partial<Record<VoteStatus, number>> = Object.fromEntries(VOTE_STATUSES.map((s) => [s, 0]));
  const form = replay.state.ballotRules?.form;
  const ctx = { choices: new Set(replay.choices), seen: new Set<string>(), ballot: form ? { form, candidates: replay.choices } : null };
  let counted = 0;
  for (const batch of verifier.batches) {
    const results = await batch.results;
    for (let i = 0; i < batch.ballots.length; i++) {
      // Read past the first failure (leaf hashes are checked behind the reading): not judged.
      if ((batch.lines[i] as number) >= beforeLine) return { counts, statuses, counted, valid, validPerWeight };
      const b = batch.ballots[i] as QueuedBallot;
      const o = results[i] as BallotOpening;
      const fail = (check: string, message: string) => ({ failure: failureAt({ check, message }, b.entry), counts, statuses, counted, valid, validPerWeight });
      if (o.kind === 'wrong-r') return fail('REVEALED_R', 'the revealed r does not satisfy r^e mod n = c0');
      if (o.kind === 'missing-r') return fail('REVEALED_R', 'no r revealed although the ballot\'s KEM value is invertible: UNDECRYPTABLE is unproven');
      const { status: expected, reason } = decideStatus(o, ctx);
      if (b.claimed.status !== expected) return fail('VOTE_STATUS', `VoteCounted says ${b.claimed.status}, the ballot is ${expected}`);
      if (b.claimed.reason !== reason) return fail('VOTE_REASON', `VoteCounted gives the reason ${String(b.claimed.reason ?? 'none')}, the ballot's is ${reason ?? 'none'}`);
      if (b.claimed.choice !== o.choice) return fail('VOTE_CHOICE', 'VoteCounted.choice is not the choice in the ballot');
      if (b.claimed.n2Commitment !== o.n2Commitment) return fail('VOTE_N2', 'VoteCounted.n2Commitment is not the N2 commitment in the ballot');
      const weight = expected === 'VALID' && o.kind === 'opened' ? o.weight : undefined;
      if (b.claimed.weight !== weight) return fail('VOTE_WEIGHT', `VoteCounted gives the weight ${String(b.claimed.weight ?? 'none')}, the ballot's class is ${String(weight ?? 'none')}`);
      if (weight !== undefined) validPerWeight.set(weight, (validPerWeight.get(weight) ?? 0) + 1);
      statuses[expected] = (statuses[expected] ?? 0) + 1;
      const weighted = { ...(weight !== undefined && { weight }) };
      if (expected === 'VALID' && byMethod) valid.push({ ballotHash: b.ballotHash, choice: o.choice as string, ...weighted });
      else if (expected === 'VALID') counts[o.choice as string] = (counts[o.choice as string] ?? 0) + voteWeight(weighted);
      counted++;
    }
  }
  return { counts, statuses, counted, valid, validPerWeight };
}

interface TallyRecount {
  failure?: AuditFailure;
  counts: Record<string, number>;
  statuses: Partial<Record<VoteStatus, number>>;
  counted: number;
  /** VALID ballots in log order, for the recount by method (empty otherwise). */
  valid: ValidVote[];
  /** VALID ballots per weight class (weighted elections), for the classes' bounds. */
  validPerWeight: Map<number, number>;
}

function compareTally(replay: ElectionReplay, r: TallyRecount, crypto: AuditPlatform['crypto']): AuditFailure | undefined {
  const pub = replay.published;
  if (!pub) return undefined;
  const fail = (check: string, message: string) => failureAt({ check, message }, pub.entry);
  const valid = r.statuses.VALID ?? 0;
  if (valid > replay.blindSigned.size) return fail('TALLY_BOUNDS', `${valid} VALID votes but only ${replay.blindSigned.size} blind signatures issued`);
  if (replay.blindSigned.size > replay.voters.size) return fail('TALLY_BOUNDS', 'more blind signatures than registered voters');
  const d = pub.data;
  if (d.ballots !== r.counted) return fail('TALLY_MISMATCH', `TallyPublished.ballots is ${d.ballots}, ${r.counted} were counted`);
  const choices = new Set([...Object.keys(d.counts ?? {}), ...Object.keys(r.counts)]);
  for (const c of choices) {
    if ((d.counts?.[c] ?? -1) !== (r.counts[c] ?? -1)) return fail('TALLY_MISMATCH', `published count for "${c}" is ${String(d.counts?.[c])}, recomputed ${String(r.counts[c])}`);
  }
  for (const s of VOTE_STATUSES) {
    if ((d.statuses?.[s] ?? -1) !== (r.statuses[s] ?? 0)) return fail('TALLY_MISMATCH', `published ${s} is ${String(d.statuses?.[s])}, recomputed ${String(r.statuses[s] ?? 0)}`);
  }
  const rules = replay.state.ballotRules;
  if (!countedByMethod(rules)) {
    const named = (['method', 'unit', 'winners'] as const).find((k) => d[k] !== undefined);
    return named ? fail('TALLY_METHOD', `TallyPublished gives ${named} in an election counted by plain plurality`) : undefined;
  }
  const lotSeed = replay.lotSeed as string; // TallyStarted is refused before VotingEnded
  const wrong = recount({ crypto, rules, candidates: replay.choices, lotSeed, valid: r.valid, rounds: replay.rounds, published: pub });
  return wrong && { ...failureAt({ check: wrong.check, message: wrong.message }, wrong.entry), ...(wrong.round !== undefined && { round: wrong.round }) };
}

/** Lines one by one, or in batches (an array of text lines, as ndjson-lines.ts reads a file). */
export type VerifierInput = AsyncIterable<string | LogLine | readonly string[]> | Iterable<string | LogLine>;

/** Feeds every line to the verifier until a check fails, waiting whenever the workers fall behind. */
async function readLines(v: Verifier, lines: VerifierInput): Promise<void> {
  // Arrays and other synchronous iterables without a promise per line.
  if (Symbol.iterator in lines) {
    for (const line of lines) {
      if (!v.line(line)) return;
      if (v.tooManyLeavesInFlight()) await v.leavesCaughtUp();
    }
    return;
  }
  for await (const item of lines) {
    // A batch: a promise per batch, not per line. (A parsed line is an object, never an array.)
    for (const line of Array.isArray(item) ? (item as readonly string[]) : [item as string | LogLine]) {
      if (!v.line(line)) return;
      if (v.tooManyLeavesInFlight()) await v.leavesCaughtUp();
    }
  }
}

/** A live audit accepts a prefix of the election, never one without its keys. */
function verdictOf(failures: AuditFailure[], gaps: AuditFailure[], live: boolean): AuditVerdict {
  if (failures.length > 0) return 'FAILED';
  if (gaps.length === 0) return 'PASSED';
  return live && !gaps.some((g) => g.check === 'ELECTION_NOT_CREATED') ? 'PARTIAL' : 'INCOMPLETE';
}

/** Verifies an export given as lines (text or parsed objects, one by one or in batches), first line the header, on `platform`. */
export async function verifyLogOn(platform: AuditPlatform, lines: VerifierInput, opts: VerifyOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const v = new Verifier(platform, opts);
  const failures: AuditFailure[] = [];
  const warnings: string[] = [];
  let tally: Awaited<ReturnType<typeof checkCountedBallots>> | undefined;
  let first: AuditFailure | undefined;
  try {
    await readLines(v, lines);
    if (v.electionId === null && !v.failure) v.fail({ check: 'BAD_HEADER', message: 'the log is empty' });
    v.flush();
    await v.settleLeaves();
    first = v.firstFailure();
    if (first) failures.push(first);
    // A failure found by a worker (a leaf hash, a checkpoint's root) comes back while reading goes
    // on: the replay's voter and ballot counts then include the lines read after it.
    if (first && first === v.deferredFailure && first.line !== undefined && v.lineNo > first.line) {
      warnings.push(`the voter and ballot counts include the ${v.lineNo - first.line} line(s) read after line ${first.line} before its failure was known; events checked, checkpoints and the tally stop at it`);
    }
    const beforeLine = first?.line ?? Infinity;
    const replay = v.replay;
    if (replay) {
      tally = await checkCountedBallots(v, replay, beforeLine);
      if (tally.failure) failures.push(tally.failure);
      const overspent = !tally.failure && replay.weightClasses ? weightClassBounds(tally.validPerWeight, replay.signedPerWeight, replay.published?.entry ?? { position: null, streamId: null, type: null }) : undefined;
      if (overspent) failures.push(overspent);
      else if (replay.published && v.publishedLine < beforeLine) {
        // TallyPublished was read (and passed its checks) before any failure: compare it.
        const mismatch = compareTally(replay, tally, platform.crypto);
        if (mismatch) failures.push(mismatch);
      }
      if (replay.lateBallots > 0) warnings.push(`${replay.lateBallots} ballot(s) cast after VotingEnded (in log order) are not counted`);
      if (replay.repeatedBallots > 0) warnings.push(`${replay.repeatedBallots} byte-identical re-cast ballot(s) are not counted`);
      if (replay.lateSpends > 0) warnings.push(`${replay.lateSpends} credential(s) spent after VotingEnded (in log order) authorise no counted ballot`);
      if (replay.lateCredentials > 0) warnings.push(`${replay.lateCredentials} credential(s) minted after VotingEnded can authorise no counted ballot`);
    }
  } finally {
    await v.close();
  }
  failures.sort((a, b) => (a.position ?? -1) - (b.position ?? -1));
  const replay = v.replay;
  const durationMs = Math.round(performance.now() - started);
  const counted = tally?.counted ?? 0;
  const checkpoints = v.verifiedCheckpoints();
  let witnessed: AuditReport['witnesses'];
  if (opts.witnesses && failures.length === 0) {
    // No keys given: the witnesses the election named at creation (under its fingerprint).
    const policy = opts.witnesses.keys.length > 0 ? opts.witnesses : { keys: replay?.witnessKeys ?? [], min: opts.witnesses.min };
    if (policy.min > policy.keys.length) failures.push({ check: 'WITNESSES_NOT_NAMED', message: `${policy.min} co-signature(s) required but the election names ${policy.keys.length} witness(es)`, position: null, streamId: null, type: null });
    const w = checkWitnesses({ crypto: platform.crypto, policy, cosignatures: v.cosignatures, head: checkpoints.head, leaves: v.leaves, published: replay?.published !== undefined, live: opts.live === true, rootAt: (n) => v.rootAt(n) });
    failures.push(...w.failures);
    witnessed = { required: opts.witnesses.min, cosignedFinal: w.cosignedFinal };
  }
  const gaps = failures.length > 0 ? [] : completenessGaps({ replay, leaves: v.leaves, signedSize: checkpoints.head?.size ?? 0, lastEvent: v.lastEvent, firstUnsigned: v.firstUnsigned });
  const verdict = verdictOf(failures, gaps, opts.live === true);
  return {
    verdict,
    ok: verdict === 'PASSED',
    electionId: v.electionId,
    fingerprint: replay?.fingerprint ?? null,
    events: v.eventsChecked(),
    checkpoints: checkpoints.count,
    voters: replay?.voters.size ?? 0,
    blindSignatures: replay?.blindSigned.size ?? 0,
    ballotsCast: replay?.ballotsCast ?? 0,
    credentialsSpent: replay?.spendsBeforeEnd ?? 0,
    lateBallots: replay?.lateBallots ?? 0,
    ballotsCounted: counted,
    counts: tally?.counts ?? {},
    statuses: tally?.statuses ?? {},
    tallyPublished: replay?.published !== undefined && v.publishedLine < (first?.line ?? Infinity),
    ...(replay?.published?.data.method && { elected: { method: replay.published.data.method, winners: replay.published.data.winners ?? [], rounds: replay.rounds.length } }),
    verifiedHead: checkpoints.head,
    ...(witnessed && { witnesses: witnessed }),
    failures,
    gaps,
    warnings,
    durationMs,
    ballotsPerSecond: durationMs > 0 ? (counted * 1000) / durationMs : 0,
  };
}
