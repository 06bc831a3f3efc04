/**
 * The read cache across processes (PostgreSQL, Redis, two gateways): gateway B's projection workers
 * are stopped, so every event is applied by A, yet B's cached public reads show each transition, pool
 * release and tally within the documented bound, and a read right after a push is never older than it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import type { Push } from '../../src/client/connection.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { BoardBallot, BoardSummary } from '../../src/projections/board-queries.ts';
import type { BallotReceipt, BoardPage } from '../../src/projections/ballot-queries.ts';
import type { TallyResults } from '../../src/projections/tally-queries.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { issueLettersByEmail, startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { smallElection } from '../support/small-election.ts';
import type { System } from '../../src/app/bootstrap.ts';

let sink: SmtpSink;
let cluster: TestCluster;
let b: EvoteConnection;
let systemB: System;

beforeAll(async () => {
  sink = await startSmtpSink();
  cluster = await startTestCluster({ processes: 2, config: { smtpUrl: sink.url, poolK: 2 } });
  systemB = cluster.systems[1]!;
  b = await EvoteConnection.connect(systemB.gateway!.url);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await cluster?.close();
  await sink?.close();
});

/** The documented bound (docs/projections.md "Read cache": one poll interval plus one checkpoint query), with slack for a loaded test machine. */
const boundMs = () => systemB.readCache.pollMs + 750;

/** Re-reads on B until `ok`; returns how long it took after the write on A was acknowledged. */
async function visibleOnB<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<number> {
  const t0 = performance.now();
  await until(async () => ok(await read()), 10_000, what);
  return performance.now() - t0;
}

describe('the read cache across two gateways', () => {
  it('shows transitions, releases and the tally applied by another process within the bound', { timeout: 120_000 }, async () => {
    const e = await smallElection({ url: cluster.systems[0]!.gateway!.url, token: cluster.adminToken, sink, theme: 'Cache test', choices: ['Oak', 'Elm'], voters: 6 });
    const { electionId, admin, token } = e;
    const get = () => b.request<ElectionRow>('query', 'election.get', { electionId });
    expect((await get()).status).toBe('REGISTER');
    // B now applies nothing: whatever it shows next was applied by A.
    await systemB.runner.stop();

    // Served from memory: a repeated read is a hit, not a load (unless a poll dropped it in between; then the next one is).
    const servedFromMemory = async () => {
      await get();
      const before = systemB.readCache.stats();
      await get();
      const after = systemB.readCache.stats();
      return after.hits === before.hits + 1 && after.misses === before.misses;
    };
    await until(servedFromMemory, 5_000, 'a cache hit');

    // No subscriber on B yet: only the checkpoint poll can tell its cache about A's work.
    const lags: number[] = [];
    await admin.request('command', 'election.start', { electionId }, { token });
    lags.push(await visibleOnB(get, (r) => r.status === 'VOTE_STARTED', 'VOTE_STARTED on B'));
    e.letters = (await issueLettersByEmail(admin, token, electionId, sink)).letters;

    // Five casts with k = 2: three are released before the close.
    const receipts = await e.castVotes(['Oak', 'Elm', 'Oak', 'Oak', 'Elm']);
    const board = () => b.request<BoardPage>('query', 'ballots.board', { electionId });
    lags.push(await visibleOnB(board, (p) => p.ballots.length === 3, 'three released ballots on B'));
    const receipt = (hash: string) => b.request<BallotReceipt>('query', 'ballots.receipt', { electionId, ballotHash: hash }).catch(() => undefined);
    const found = async () => (await Promise.all(receipts.map((r) => receipt(r.ballotHash)))).filter((r) => r !== undefined);
    expect(await found()).toHaveLength(3);

    // From here B has subscribers: the notifications from A reach its cache before them.
    // A read right after a push is at least as new as the push.
    const transitions: string[] = [];
    const statusesAfterPush: string[] = [];
    // The reads pushes start are awaited before the checks, and none starts after them (B closes in afterAll).
    let watching = true;
    const reads: Promise<unknown>[] = [];
    await b.subscribe('election', { electionId }, (p: Push) => {
      const t = p.payload as { transition: string; status: string };
      transitions.push(t.transition);
      if (watching) reads.push(get().then((row) => statusesAfterPush.push(`${t.status}<=${row.status}`)));
    });
    const logSizes: [number, number][] = [];
    await b.subscribe<BoardSummary>('board.watch', { electionId }, (p: Push) => {
      const pushed = (p.payload as { size: number }).size;
      if (watching) reads.push(b.request<BoardSummary>('query', 'board.summary', { electionId }).then((s) => logSizes.push([pushed, s.logSize])));
    });
    await e.end();
    lags.push(await visibleOnB(get, (r) => r.status === 'VOTE_ENDED', 'VOTE_ENDED on B'));
    lags.push(await visibleOnB(found, (rs) => rs.length === 5 && rs.every((r) => r.status === null), 'all five receipts on B'));
    const boardBallots = () => b.request<{ ballots: BoardBallot[] }>('query', 'board.ballots', { electionId, limit: 200 });
    lags.push(await visibleOnB(boardBallots, (p) => p.ballots.length === 5, 'five ballots on the board on B'));

    const results = () => b.request<TallyResults>('query', 'tally.results', { electionId });
    expect((await results()).published).toBe(false);
    await e.tally();
    lags.push(await visibleOnB(results, (r) => r.published && r.counts.Oak === 3 && r.counts.Elm === 2, 'published results on B'));
    lags.push(await visibleOnB(found, (rs) => rs.every((r) => r.status === 'VALID'), 'counted receipts on B'));
    lags.push(await visibleOnB(boardBallots, (p) => p.ballots.every((x) => x.status === 'VALID'), 'counted board ballots on B'));

    for (const lag of lags) expect(lag).toBeLessThanOrEqual(boundMs());
    await until(() => transitions.includes('tallied') && logSizes.length > 0, 5_000, 'pushes on B');
    await new Promise((r) => setTimeout(r, 200));
    watching = false;
    await Promise.all(reads);
    expect(statusesAfterPush.length).toBeGreaterThanOrEqual(2);
    // The row read after each push is at least at the pushed status (statuses only move forward).
    const order = ['REGISTER', 'VOTE_STARTED', 'VOTE_ENDED'];
    for (const s of statusesAfterPush) {
      const [pushed, read] = s.split('<=') as [string, string];
      expect(order.indexOf(read)).toBeGreaterThanOrEqual(order.indexOf(pushed));
    }
    for (const [pushed, read] of logSizes) expect(read).toBeGreaterThanOrEqual(pushed);
    await admin.close();
  });
});
