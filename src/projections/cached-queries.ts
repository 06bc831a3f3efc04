/**
 * The public queries served through the read cache: each names the projections (and election) its
 * rows come from, and what makes its answer final (docs/projections.md "Read cache").
 */
import type { ReadModelQueries } from './read-models.ts';
import type { BallotQueries } from './ballot-queries.ts';
import type { BoardQueries } from './board-queries.ts';
import type { TallyQueries } from './tally-queries.ts';
import type { CacheDependency, ReadCache } from './read-cache.ts';

/** The projections the cached reads depend on: the read cache observes and polls these. */
export const CACHED_PROJECTIONS = ['elections', 'votes', 'tally', 'transparency-log'] as const;

const of = (projection: string, electionId: string): CacheDependency => ({ projection, electionId });
/** Until settled: the election's rows; afterwards only a rebuild or the poll can drop it. */
const untilSettled = (projection: string, electionId: string): CacheDependency[] => [{ projection, electionId, untilSettled: true }, { projection }];
const key = (...parts: unknown[]) => JSON.stringify(parts);

/** election.get and election.list cached; the admin's voter queries go to the database. */
export function cachedReadModelQueries(inner: ReadModelQueries, cache: ReadCache): ReadModelQueries {
  const anyElection: CacheDependency[] = [{ projection: 'elections', anyElection: true }];
  return {
    ...inner,
    getElection: (id) => cache.read(key('election.get', id), [of('elections', id)], () => inner.getElection(id)),
    listElections: () => cache.read(key('election.list'), anyElection, () => inner.listElections()),
  };
}

/** About this many receipts per bucket; the bucket is the set of hashes sharing a prefix. */
const RECEIPTS_PER_BUCKET = 256;

/** Hex digits of the bucket prefix for an election of `ballots` expected ballots (16^digits buckets). */
export function receiptPrefixLength(ballots: number): number {
  return Math.min(8, Math.max(0, Math.ceil(Math.log(Math.max(1, ballots) / RECEIPTS_PER_BUCKET) / Math.log(16))));
}

/**
 * Each voter checks their own receipt, about once: caching receipts one by one would never hit. A
 * miss loads the receipts of every hash sharing the first few hex digits, sized by the election's
 * expected voters, so the other voters of that bucket are served from memory.
 */
export function cachedBallotQueries(inner: BallotQueries, cache: ReadCache, expectedBallots: (electionId: string) => Promise<number>): BallotQueries {
  const bucket = (id: string, prefix: string) =>
    cache.read(key('ballots.receipts', id, prefix), [of('votes', id), of('tally', id)], async () => {
      const receipts = await inner.receiptsWithPrefix(id, prefix);
      return Object.fromEntries(receipts.map((r) => [r.ballotHash, r]));
    });
  return {
    ...inner,
    receipt: async (id, hash) => {
      if (!/^[0-9a-f]{64}$/.test(hash)) return inner.receipt(id, hash);
      const receipts = await bucket(id, hash.slice(0, receiptPrefixLength(await expectedBallots(id))));
      return Object.hasOwn(receipts, hash) ? receipts[hash] : undefined;
    },
    // Ballots only ever join the board after the last one: a full page is final.
    board: (id, page) =>
      cache.read(key('ballots.board', id, page.after, page.limit), untilSettled('votes', id), () => inner.board(id, page), (p) => p.next !== null),
  };
}

export function cachedBoardQueries(inner: BoardQueries, cache: ReadCache): BoardQueries {
  return {
    summary: (id) => cache.read(key('board.summary', id), [of('transparency-log', id)], () => inner.summary(id)),
    // A full page's leaves are final; their statuses change only with the tally.
    ballots: (id, page) =>
      cache.read(
        key('board.ballots', id, page.after, page.limit),
        [...untilSettled('transparency-log', id), of('tally', id)],
        () => inner.ballots(id, page),
        (p) => p.next !== null,
      ),
    checkpoints: (id, page) => cache.read(key('board.checkpoints', id, page.before, page.limit), [of('transparency-log', id)], () => inner.checkpoints(id, page)),
  };
}

export function cachedTallyQueries(inner: TallyQueries, cache: ReadCache): TallyQueries {
  return {
    results: (id) => cache.read(key('tally.results', id), [of('tally', id)], () => inner.results(id)),
    receiptByCommitment: (id, commitment) =>
      cache.read(key('ballots.receiptByCommitment', id, commitment), [of('tally', id), of('votes', id)], () => inner.receiptByCommitment(id, commitment)),
  };
}
