/**
 * The board's public messages over the real gateway (PostgreSQL, Redis): board.watch pushes as the
 * pool releases ballots and the log is checkpointed, board.summary counts what the log holds,
 * board.ballots pages them with their tally status, board.checkpoints serves verifiable signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Push } from '../../src/client/connection.ts';
import { EvoteConnection } from '../../src/client/connection.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { BoardBallot, BoardCheckpoint, BoardSummary } from '../../src/projections/board-queries.ts';
import { logPublicKeyFromRaw, verifyCheckpoint } from '../../src/audit/checkpoint.ts';
import { refusal } from '../support/refusal.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { smallElection, type SmallElection } from '../support/small-election.ts';

let sink: SmtpSink;
let cluster: TestCluster;
let observer: EvoteConnection;
const savedCheckpointSeconds = process.env.EVOTE_LOG_CHECKPOINT_SECONDS;

beforeAll(async () => {
  process.env.EVOTE_LOG_CHECKPOINT_SECONDS = '0.5';
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url, poolK: 2 } });
  observer = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
}, 60_000);

afterAll(async () => {
  if (savedCheckpointSeconds === undefined) delete process.env.EVOTE_LOG_CHECKPOINT_SECONDS;
  else process.env.EVOTE_LOG_CHECKPOINT_SECONDS = savedCheckpointSeconds;
  await observer?.close();
  await cluster?.close();
  await sink?.close();
});


describe('the board messages', () => {
  it('answer ELECTION_NOT_FOUND for an unknown election, to anyone', async () => {
    for (const name of ['board.summary', 'board.ballots', 'board.checkpoints']) {
      expect(await refusal(observer.request('query', name, { electionId: 'none-such' }))).toBe('ELECTION_NOT_FOUND');
    }
    expect(await refusal(observer.subscribe('board.watch', { electionId: 'none-such' }, () => {}))).toBe('ELECTION_NOT_FOUND');
  });

  it('follow an election from empty to tallied', { timeout: 120_000 }, async () => {
    const e: SmallElection = await smallElection({
      url: cluster.systems[0]!.gateway!.url,
      token: cluster.adminToken,
      sink,
      theme: 'Board test',
      choices: ['Oak', 'Elm'],
      voters: 6,
    });
    const { electionId } = e;
    const pushes: Push[] = [];
    const { snapshot } = await observer.subscribe<BoardSummary>('board.watch', { electionId }, (p) => pushes.push(p));
    expect(snapshot).toMatchObject({ electionId, ballots: 0 });
    const summary = () => observer.request<BoardSummary>('query', 'board.summary', { electionId });

    await e.start();
    // Five casts with k = 2: the pool holds two back, so three are on the log before the close.
    await e.castVotes(['Oak', 'Elm', 'Oak', 'Oak', 'Elm']);
    await until(async () => (await summary()).ballots === 3, 10_000, 'three ballots released');
    await until(() => pushes.length > 0, 5_000, 'a board.log push');
    const push = pushes[pushes.length - 1]!;
    expect(push.name).toBe('board.log');
    expect(Object.keys(push.payload as object).sort()).toEqual(['checkpointSize', 'lastPosition', 'size']);
    // Pushes never go backwards.
    const sizes = pushes.map((p) => (p.payload as { size: number }).size);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);

    await e.end();
    await until(async () => (await summary()).ballots === 5, 10_000, 'the close releasing the pool');

    // Pages in log order, with a cursor; no status before the tally.
    const page1 = await observer.request<{ ballots: BoardBallot[]; next: number | null }>('query', 'board.ballots', { electionId, limit: 3 });
    expect(page1.ballots).toHaveLength(3);
    expect(page1.next).toBe(page1.ballots[2]!.leafIndex);
    const page2 = await observer.request<{ ballots: BoardBallot[]; next: number | null }>('query', 'board.ballots', { electionId, limit: 3, after: page1.next! });
    expect(page2.ballots).toHaveLength(2);
    expect(page2.next).toBeNull();
    const all = [...page1.ballots, ...page2.ballots];
    expect(all.map((b) => b.leafIndex)).toEqual([...all.map((b) => b.leafIndex)].sort((a, b) => a - b));
    expect(all.every((b) => b.status === null && /^[0-9a-f]{64}$/.test(b.ballotHash))).toBe(true);
    const legacy = await observer.request<{ ballots: { ballotHash: string; position: number }[] }>('query', 'ballots.board', { electionId });
    expect(all.map((b) => [b.ballotHash, b.position])).toEqual(legacy.ballots.map((b) => [b.ballotHash, b.position]));

    const tally = await e.tally();
    expect(tally.counts).toEqual({ Oak: 3, Elm: 2 });
    const after = await observer.request<{ ballots: BoardBallot[] }>('query', 'board.ballots', { electionId, limit: 200 });
    expect(after.ballots.map((b) => b.status)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID']);

    // Checkpoints: newest first, paged, each signature valid under the election's log key.
    await until(async () => (await summary()).checkpointSize === (await summary()).logSize, 15_000, 'a checkpoint of the whole log');
    const election = await observer.request<ElectionRow>('query', 'election.get', { electionId });
    const key = logPublicKeyFromRaw(election.logPublicKey!)!;
    const { checkpoints, next } = await observer.request<{ checkpoints: BoardCheckpoint[]; next: number | null }>('query', 'board.checkpoints', { electionId, limit: 100 });
    expect(checkpoints.length).toBe((await summary()).checkpoints);
    expect(next).toBeNull();
    expect(checkpoints.map((c) => c.revision)).toEqual([...checkpoints.map((c) => c.revision)].sort((a, b) => b - a));
    for (const c of checkpoints) expect(verifyCheckpoint(key, { electionId, size: c.size, root: c.root, lastPosition: c.lastPosition }, c.signature)).toBe(true);
    // A checkpoint from another election's body does not verify: the test above can fail.
    expect(verifyCheckpoint(key, { electionId: 'other', size: checkpoints[0]!.size, root: checkpoints[0]!.root, lastPosition: checkpoints[0]!.lastPosition }, checkpoints[0]!.signature)).toBe(false);
    if (checkpoints.length > 1) {
      const one = await observer.request<{ checkpoints: BoardCheckpoint[]; next: number | null }>('query', 'board.checkpoints', { electionId, limit: 1 });
      expect(one.next).toBe(one.checkpoints[0]!.revision);
      const two = await observer.request<{ checkpoints: BoardCheckpoint[] }>('query', 'board.checkpoints', { electionId, limit: 1, before: one.next! });
      expect(two.checkpoints[0]).toEqual(checkpoints[1]);
    }
    await e.admin.close();
  });
});
