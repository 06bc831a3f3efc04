/**
 * Counting the covered ballots range by range, shared with whatever other processes claim ranges of
 * the same tally: ranges are opened in parallel, but their VoteCounted are appended in range order,
 * so the tally stream is the one a single process writes (docs/tally.md, "A tally on several processes").
 */
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { Result } from '../domain/errors.ts';
import type { VoteCounted } from '../domain/tally-events.ts';
import { countedEntries, isCounted, type TallyState } from '../domain/tally.ts';
import { tallyStreamId } from '../domain/streams.ts';
import { AggregateCache } from '../commands/command-handler.ts';
import { decideAndAppendTally, loadTally, type TallyAggregate } from '../commands/tally-command.ts';
import { classifyBallot, type OpenedBallot } from './classify.ts';
import type { CoveredBallot } from './covered-ballots.ts';
import type { BallotForm } from '../domain/ballot-form.ts';
import type { BallotOpener } from './pool.ts';
import type { TallyRange, TallyRangeClaims } from './range-claims.ts';

export interface RangeCounting {
  store: EventStore;
  electionId: string;
  choices: readonly string[];
  /** ElectionCreated's ballot form, when it has one: choices are decoded by it (classify.ts). */
  form?: BallotForm | null;
  covered: readonly CoveredBallot[];
  pool: BallotOpener;
  claims: TallyRangeClaims;
  /** Names this run in the claims table (host, pid, a random suffix). */
  owner: string;
  leaseMs: number;
  /** How often a process waiting for its turn re-reads the tally stream. */
  pollMs: number;
  appendBatch: number;
  chunk: number;
  /** Ranges held at once: the one waiting for its turn and the ones being opened behind it. */
  hold: number;
  log?: Logger;
  onProgress?: (done: number, position: number) => void;
}

interface HeldRange {
  range: TallyRange;
  ballots: readonly CoveredBallot[];
  opened: Promise<OpenedBallot[]>;
  /** Set when a renewal found the lease gone: another process counts this range now. */
  lost: boolean;
}

const noop = () => {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts until every covered ballot has its VoteCounted (by this process or others); returns the stream then. */
export async function countInRanges(c: RangeCounting, started: TallyAggregate): Promise<Result<TallyAggregate>> {
  const { store, electionId, covered, claims, owner } = c;
  const streamId = tallyStreamId(electionId);
  const cache = new AggregateCache<TallyState>(1);
  let aggregate = started;
  cache.set(streamId, aggregate);

  // Commitments of the counted VALID/DUPLICATE_N2 votes, folded forward as the stream grows.
  const seen = new Set<string>();
  let seenThrough = 0;
  const absorb = () => {
    for (const e of countedEntries(aggregate.state.counted, seenThrough)) {
      if ((e.status === 'VALID' || e.status === 'DUPLICATE_N2') && e.n2Commitment !== null) seen.add(e.n2Commitment);
    }
    seenThrough = aggregate.state.counted.count;
  };
  absorb();
  const refresh = async () => {
    const before = aggregate.state.counted.count;
    aggregate = await loadTally(store, electionId, cache);
    absorb();
    if (aggregate.state.counted.count !== before) c.onProgress?.(aggregate.state.counted.count, aggregate.position);
  };

  const choices = new Set(c.choices);
  const formed = c.form ? { form: c.form, candidates: c.choices } : null;
  const held: HeldRange[] = [];
  const take = async (range: TallyRange) => {
    const ballots = covered.slice(range.first, range.first + range.count);
    const last = ballots.at(-1);
    if (!last || isCounted(aggregate.state.counted, last.ballotHash)) return claims.complete(electionId, range.index);
    if (range.retaken) c.log?.info('tally range taken over', { electionId, range: range.index, first: range.first, count: range.count });
    const chunks: Promise<OpenedBallot[]>[] = [];
    for (let i = 0; i < ballots.length; i += c.chunk) chunks.push(c.pool.open(ballots.slice(i, i + c.chunk).map((b) => b.ciphertext)));
    const opened = Promise.all(chunks).then((parts) => parts.flat());
    opened.catch(noop); // awaited when the range's turn comes; this only keeps an early return from leaving it unhandled
    held.push({ range, ballots, opened, lost: false });
    held.sort((a, b) => a.range.index - b.range.index);
  };

  // Renew every lease this run holds; a range missing from the answer was taken over after a lapse.
  const renewal = setInterval(() => {
    const asked = new Set(held.map((h) => h.range.index));
    claims.renew(electionId, owner, c.leaseMs).then(
      (still) => {
        const kept = new Set(still);
        for (const h of held) if (asked.has(h.range.index) && !kept.has(h.range.index)) h.lost = true;
      },
      (err: unknown) => c.log?.warn('tally lease renewal failed', { electionId, error: err instanceof Error ? err.message : String(err) }),
    );
  }, Math.max(1, Math.floor(c.leaseMs / 3)));
  renewal.unref();

  /** Appends the head range's uncounted votes, classified against the stream as it stands; false on a conflict. */
  const appendHead = async (head: HeldRange): Promise<Result<boolean>> => {
    const opened = await head.opened;
    const from = aggregate.state.counted.count - head.range.first;
    const votes: VoteCounted['data'][] = [];
    for (let i = Math.max(0, from); i < head.ballots.length; i++) {
      const ballot = head.ballots[i] as CoveredBallot;
      if (isCounted(aggregate.state.counted, ballot.ballotHash)) throw new Error(`the tally stream of ${electionId} is not a prefix of the covered ballots in log order`);
      const v = classifyBallot(opened[i] as OpenedBallot, { seen, choices, ballot: formed });
      if (v.marksSeen && v.n2Commitment !== null) seen.add(v.n2Commitment);
      votes.push({ electionId, ballotHash: ballot.ballotHash, revealedR: v.revealedR, n2Commitment: v.n2Commitment, choice: v.choice, status: v.status, ...(v.reason && { reason: v.reason }), ...(v.weight !== undefined && { weight: v.weight }) });
    }
    for (let i = 0; i < votes.length; i += c.appendBatch) {
      const appended = await decideAndAppendTally(store, electionId, aggregate, { type: 'CountVotes', electionId, votes: votes.slice(i, i + c.appendBatch) });
      if (!appended.ok) {
        if (appended.error.code !== 'CONCURRENCY_CONFLICT') return appended;
        // `seen` holds commitments of votes that were not appended: fold it again from the stream.
        seen.clear();
        seenThrough = 0;
        await refresh();
        return { ok: true, value: false };
      }
      aggregate = appended.value.aggregate;
      cache.set(streamId, aggregate);
      seenThrough = aggregate.state.counted.count;
      c.onProgress?.(aggregate.state.counted.count, aggregate.position);
    }
    return { ok: true, value: true };
  };

  try {
    for (;;) {
      if (aggregate.state.published || aggregate.state.counted.count >= covered.length) {
        // Ranges still in hand were counted by others meanwhile: mark them done rather than give them back.
        for (const h of held.splice(0)) await claims.complete(electionId, h.range.index);
        return { ok: true, value: aggregate };
      }
      while (held.length < c.hold) {
        const range = await claims.claim(electionId, owner, c.leaseMs);
        if (!range) break;
        await take(range);
      }
      const head = held[0];
      if (!head) {
        // Every range left is held by another process: wait for it to finish or for a lease to lapse.
        await sleep(c.pollMs);
        await refresh();
        continue;
      }
      const counted = aggregate.state.counted.count;
      if (head.lost || counted >= head.range.first + head.range.count) {
        held.shift();
        if (!head.lost) await claims.complete(electionId, head.range.index);
        continue;
      }
      if (counted < head.range.first) {
        // An earlier range is not appended yet; take it over if its owner's lease ran out.
        const earlier = await claims.claim(electionId, owner, c.leaseMs, head.range.index);
        if (earlier) await take(earlier);
        else {
          await sleep(c.pollMs);
          await refresh();
        }
        continue;
      }
      const appended = await appendHead(head);
      if (!appended.ok) return appended;
      if (appended.value) {
        held.shift();
        await claims.complete(electionId, head.range.index, owner);
      }
    }
  } finally {
    clearInterval(renewal);
    // On success nothing is left to give back; after a failure the others need not wait for the leases.
    await claims.release(electionId, owner).catch(noop);
  }
}
