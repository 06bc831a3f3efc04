/**
 * The independent verifier: reads an `evote-log/v1` export (a file, or the store through the same
 * generator the export uses) and re-checks the election without trusting the server:
 *
 *   transparency  every leaf hash recomputed; positions strictly increasing; stream revisions
 *                 contiguous from 0; each checkpoint right after the leaf it ends, with the root
 *                 recomputed from the leaves, an Ed25519 signature under ElectionCreated.logPublicKey,
 *                 and an RFC 9162 consistency proof from the previous checkpoint;
 *   lifecycle     every event producible by the deciders (election-replay.ts);
 *   ballots       every ballot cast while voting was open counted exactly once; each VoteCounted's r,
 *                 decryption, signature, N2 and choice re-derived (worker pool), and its status
 *                 recomputed in log order (vote-status.ts);
 *   tally         VALID ≤ BlindSignatureIssued ≤ VoterRegistered, and the recomputed counts equal
 *                 TallyPublished.
 *
 * Reading stops at the first event that breaks a sequential check; ballot checks finish for the
 * ballots read so far, and `failures[0]` is the earliest failure in log order.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EventStore } from '../eventstore/port.ts';
import { VOTE_STATUSES, type VoteStatus } from '../domain/tally-events.ts';
import { createAuditPool, type AuditPool } from './audit-pool.ts';
import type { BallotOpening } from './ballot-opening.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { ElectionReplay, isViolation, type CountedBallot, type Violation } from './election-replay.ts';
import { electionLogLines } from './export.ts';
import { entryLeafHash, isElectionLogEntry, type LogEntry } from './log-entry.ts';
import { LOG_FORMAT, isCheckpointLine, isHeaderLine, type CheckpointLine, type EventLine, type LogLine } from './log-lines.ts';
import { verifyConsistency } from './merkle.ts';
import { MerkleTree } from './merkle-tree.ts';
import { decideStatus } from './vote-status.ts';
import type { AuditFailure, AuditProgress, AuditReport } from './report.ts';

export interface VerifyOptions {
  onProgress?(p: AuditProgress): void;
  /** Worker threads (default: available parallelism). */
  workers?: number;
  /** Ballots per worker message. Default 256. */
  batchSize?: number;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

interface Batch {
  ballots: CountedBallot[];
  results: Promise<BallotOpening[]>;
}

class Verifier {
  electionId: string | null = null;
  replay?: ElectionReplay;
  readonly tree = new MerkleTree();
  private readonly revisions = new Map<string, number>();
  private lastPosition = -Infinity;
  private lastLeafPosition = -1;
  private lastCheckpoint?: { size: number; root: Uint8Array; position: number; revision: number };
  checkpoints = 0;
  verifiedHead: AuditReport['verifiedHead'] = null;
  failure?: AuditFailure;
  lineNo = 0;
  private pool?: AuditPool;
  /** The leaf hash structural() recomputed for the event being read. */
  private leaf?: Uint8Array;
  private pending: CountedBallot[] = [];
  readonly batches: Batch[] = [];
  ballotsQueued = 0;
  ballotsChecked = 0;

  constructor(private readonly opts: VerifyOptions) {}

  fail(v: Violation, e?: { position?: unknown; streamId?: unknown; type?: unknown; leafIndex?: unknown }): void {
    this.failure = {
      ...v,
      position: isInt(e?.position) ? e.position : null,
      streamId: typeof e?.streamId === 'string' ? e.streamId : null,
      type: typeof e?.type === 'string' ? e.type : null,
      ...(isInt(e?.leafIndex) && { leafIndex: e.leafIndex }),
      line: this.lineNo,
    };
  }

  /** One line of the export; false once a check failed (reading stops). */
  line(raw: string | LogLine): boolean {
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
    return this.event(line as EventLine);
  }

  private header(line: LogLine): boolean {
    if (!isHeaderLine(line) || line.format !== LOG_FORMAT || typeof line.electionId !== 'string') {
      this.fail({ check: 'BAD_HEADER', message: `the first line must be an ${LOG_FORMAT} header` });
      return false;
    }
    this.electionId = line.electionId;
    this.replay = new ElectionReplay(line.electionId);
    return true;
  }

  private structural(e: EventLine): Violation | undefined {
    if (!isInt(e.position) || !isInt(e.revision) || typeof e.streamId !== 'string' || typeof e.type !== 'string' || typeof e.data !== 'object' || e.data === null) {
      return { check: 'BAD_LINE', message: 'an event line needs position, streamId, revision, type and data' };
    }
    if (e.leafIndex !== this.tree.size) return { check: 'LEAF_INDEX', message: `leaf index ${String(e.leafIndex)}, expected ${this.tree.size} (an event is missing or extra)` };
    if (e.position <= this.lastLeafPosition) return { check: 'POSITION_ORDER', message: `position ${e.position} does not follow ${this.lastLeafPosition}` };
    // The leaf hash first: a flipped byte is named as such, whatever field it landed in.
    this.leaf = entryLeafHash(e);
    if (hex(this.leaf) !== e.leafHash) return { check: 'LEAF_HASH', message: 'the event bytes do not hash to its leaf hash' };
    if (!isElectionLogEntry(this.electionId as string, e)) return { check: 'FOREIGN_EVENT', message: 'the event does not belong to this election' };
    const expected = this.revisions.get(e.streamId) ?? 0;
    if (e.revision !== expected) return { check: 'REVISION_GAP', message: `revision ${e.revision} of ${e.streamId}, expected ${expected}` };
    return undefined;
  }

  private event(e: EventLine): boolean {
    const bad = this.structural(e);
    if (bad) {
      this.fail(bad, e);
      return false;
    }
    const entry: LogEntry = { position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data };
    // Equal to e.leafHash (checked in structural): the recomputed bytes, no hex decoding.
    const leaf = this.leaf as Uint8Array;
    const outcome = (this.replay as ElectionReplay).apply(entry);
    if (isViolation(outcome)) {
      this.fail(outcome, e);
      return false;
    }
    this.tree.append(leaf);
    this.revisions.set(e.streamId, e.revision + 1);
    this.lastLeafPosition = e.position;
    if (outcome) this.queue(outcome);
    // Start the workers at the first ballot: they take a while to load, and the VoteCounted they
    // check come only after every ballot, so their start overlaps with reading the rest of the log.
    else if (e.type === 'BallotCast' && this.replay?.keys) this.startPool(this.replay.keys);
    if (this.tree.size % 10_000 === 0) this.progress();
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
    if (c.streamId !== `log-${eid}` || d.electionId !== eid) return fail('FOREIGN_EVENT', 'the checkpoint is not of this election');
    const expectedRevision = this.lastCheckpoint ? this.lastCheckpoint.revision + 1 : 0;
    if (c.revision !== expectedRevision) return fail('REVISION_GAP', `checkpoint revision ${c.revision}, expected ${expectedRevision}`);
    if (this.lastCheckpoint && c.position <= this.lastCheckpoint.position) return fail('POSITION_ORDER', 'checkpoint positions are not increasing');
    if (c.position <= this.lastLeafPosition) return fail('POSITION_ORDER', 'a checkpoint is older than the events it covers');
    if (d.size !== this.tree.size) return fail('CHECKPOINT_SIZE', `checkpoint of size ${d.size} placed after ${this.tree.size} leaves`);
    if (d.lastPosition !== this.lastLeafPosition) return fail('CHECKPOINT_SIZE', `checkpoint ends at position ${d.lastPosition}, its last leaf is at ${this.lastLeafPosition}`);
    const root = this.tree.root();
    if (hex(root) !== d.root) return fail('CHECKPOINT_ROOT', 'the signed root is not the Merkle root of the leaves it covers');
    const logKey = this.replay?.logKey;
    if (!logKey || !verifyCheckpoint(logKey, { electionId: eid, size: d.size, root: d.root, lastPosition: d.lastPosition }, d.signature)) {
      return fail('CHECKPOINT_SIGNATURE', 'the checkpoint signature does not verify under the log key of ElectionCreated');
    }
    const prev = this.lastCheckpoint;
    if (prev) {
      if (d.size < prev.size) return fail('CHECKPOINT_CONSISTENCY', 'the log shrank');
      const proof = this.tree.consistencyProof(prev.size, d.size);
      if (!verifyConsistency(prev.size, d.size, prev.root, root, proof)) return fail('CHECKPOINT_CONSISTENCY', 'the checkpoint is not consistent with the previous one');
    }
    this.lastCheckpoint = { size: d.size, root, position: c.position, revision: c.revision };
    this.verifiedHead = { size: d.size, root: d.root };
    this.checkpoints++;
    return true;
  }

  // ---- ballots through the worker pool -----------------------------------------------------------

  private queue(b: CountedBallot): void {
    this.pending.push(b);
    this.ballotsQueued++;
    if (this.pending.length >= (this.opts.batchSize ?? 256)) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const ballots = this.pending;
    this.pending = [];
    const keys = this.replay?.keys;
    if (!keys) throw new Error('ballots queued before the election keys were read');
    const results = this.startPool(keys).open(ballots.map((b) => ({ ciphertext: b.ciphertext, revealedR: b.revealedR })));
    void results.then(
      () => {
        this.ballotsChecked += ballots.length;
        this.progress();
      },
      () => {},
    );
    this.batches.push({ ballots, results });
  }

  private startPool(keys: NonNullable<ElectionReplay['keys']>): AuditPool {
    this.pool ??= createAuditPool(keys, this.opts.workers);
    return this.pool;
  }

  progress(): void {
    this.opts.onProgress?.({ events: this.tree.size, ballotsQueued: this.ballotsQueued, ballotsChecked: this.ballotsChecked });
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

const failureAt = (v: Violation, e: LogEntry): AuditFailure => ({ ...v, position: e.position, streamId: e.streamId, type: e.type });

/** Decides every counted ballot's status in log order and compares it with what VoteCounted claims. */
async function checkCountedBallots(
  verifier: Verifier,
  replay: ElectionReplay,
): Promise<{ failure?: AuditFailure; counts: Record<string, number>; statuses: Partial<Record<VoteStatus, number>>; counted: number }> {
  const counts: Record<string, number> = Object.fromEntries(replay.choices.map((c) => [c, 0]));
  const statuses: Partial<Record<VoteStatus, number>> = Object.fromEntries(VOTE_STATUSES.map((s) => [s, 0]));
  const ctx = { choices: new Set(replay.choices), minted: replay.minted, seen: new Set<string>() };
  let counted = 0;
  for (const batch of verifier.batches) {
    const results = await batch.results;
    for (let i = 0; i < batch.ballots.length; i++) {
      const b = batch.ballots[i] as CountedBallot;
      const o = results[i] as BallotOpening;
      const fail = (check: string, message: string) => ({ failure: failureAt({ check, message }, b.entry), counts, statuses, counted });
      if (o.kind === 'wrong-r') return fail('REVEALED_R', 'the revealed r does not satisfy r^e mod n = c0');
      if (o.kind === 'missing-r') return fail('REVEALED_R', 'no r revealed although the ballot\'s KEM value is invertible: UNDECRYPTABLE is unproven');
      const expected = decideStatus(o, ctx);
      if (b.claimed.status !== expected) return fail('VOTE_STATUS', `VoteCounted says ${b.claimed.status}, the ballot is ${expected}`);
      if (b.claimed.choice !== o.choice) return fail('VOTE_CHOICE', 'VoteCounted.choice is not the choice in the ballot');
      if (b.claimed.hashN2 !== o.hashN2) return fail('VOTE_N2', 'VoteCounted.hashN2 is not hash(N2) of the ballot');
      statuses[expected] = (statuses[expected] ?? 0) + 1;
      if (expected === 'VALID') counts[o.choice as string] = (counts[o.choice as string] ?? 0) + 1;
      counted++;
    }
  }
  return { counts, statuses, counted };
}

function compareTally(replay: ElectionReplay, r: { counts: Record<string, number>; statuses: Partial<Record<VoteStatus, number>>; counted: number }): AuditFailure | undefined {
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
  return undefined;
}

/** Verifies an export given as lines (text or parsed objects), first line the header. */
export async function verifyLog(lines: AsyncIterable<string | LogLine> | Iterable<string | LogLine>, opts: VerifyOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const v = new Verifier(opts);
  const failures: AuditFailure[] = [];
  const warnings: string[] = [];
  let tally: Awaited<ReturnType<typeof checkCountedBallots>> | undefined;
  try {
    for await (const line of lines) if (!v.line(line)) break;
    if (v.electionId === null && !v.failure) v.fail({ check: 'BAD_HEADER', message: 'the log is empty' });
    if (v.failure) failures.push(v.failure);
    v.flush();
    const replay = v.replay;
    if (replay) {
      tally = await checkCountedBallots(v, replay);
      if (tally.failure) failures.push(tally.failure);
      else if (replay.published) {
        // TallyPublished was read (and passed its sequential checks) before any failure: compare it.
        const mismatch = compareTally(replay, tally);
        if (mismatch) failures.push(mismatch);
      }
      if (!v.failure && replay.published && v.verifiedHead?.size !== v.tree.size) {
        failures.push({ check: 'UNCHECKPOINTED_TAIL', message: 'the published log ends with events no signed checkpoint covers', position: null, streamId: null, type: null });
      } else if (!v.failure && v.verifiedHead?.size !== v.tree.size) {
        warnings.push(`${v.tree.size - (v.verifiedHead?.size ?? 0)} event(s) at the end are not yet covered by a signed checkpoint`);
      }
      if (replay.lateBallots > 0) warnings.push(`${replay.lateBallots} ballot(s) cast after VotingEnded (in log order) are not counted`);
      if (replay.repeatedBallots > 0) warnings.push(`${replay.repeatedBallots} byte-identical re-cast ballot(s) are not counted`);
      if (replay.lateCredentials > 0) warnings.push(`${replay.lateCredentials} credential(s) minted after VotingEnded are not counted as minted`);
    }
  } finally {
    await v.close();
  }
  failures.sort((a, b) => (a.position ?? -1) - (b.position ?? -1));
  const replay = v.replay;
  const durationMs = Math.round(performance.now() - started);
  const counted = tally?.counted ?? 0;
  return {
    ok: failures.length === 0,
    electionId: v.electionId,
    events: v.tree.size,
    checkpoints: v.checkpoints,
    voters: replay?.voters.size ?? 0,
    blindSignatures: replay?.blindSigned.size ?? 0,
    ballotsCast: replay?.ballotsCast ?? 0,
    lateBallots: replay?.lateBallots ?? 0,
    ballotsCounted: counted,
    counts: tally?.counts ?? {},
    statuses: tally?.statuses ?? {},
    tallyPublished: replay?.published !== undefined,
    verifiedHead: v.verifiedHead,
    failures,
    warnings,
    durationMs,
    ballotsPerSecond: durationMs > 0 ? (counted * 1000) / durationMs : 0,
  };
}

/** Audits the election straight from the event store (the same lines `exportLog` would write). */
export function verifyFromStore(store: EventStore, electionId: string, opts: VerifyOptions = {}): Promise<AuditReport> {
  return verifyLog(electionLogLines(store, electionId), opts);
}

/** Audits an exported NDJSON file. */
export async function verifyFromFile(path: string, opts: VerifyOptions = {}): Promise<AuditReport> {
  const input = createReadStream(path, { encoding: 'utf8' });
  try {
    return await verifyLog(createInterface({ input, crlfDelay: Infinity }), opts);
  } finally {
    input.destroy();
  }
}
