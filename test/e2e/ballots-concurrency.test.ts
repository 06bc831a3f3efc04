/**
 * Anonymous casting through the real gateway (two processes, one PostgreSQL, one Redis): 100
 * simultaneous casts with ONE N1 over 100 separate WebSocket connections → exactly one receipt and
 * 99 ALREADY_CAST; the receipt and the bulletin board answer over WS once the read models have it; the election closes itself at
 * the expected-voters-th ballot; a later cast is VOTING_CLOSED; blind signing without a voter token
 * is UNAUTHENTICATED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCastReceipt } from '../../src/crypto/cast-receipt.ts';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import type { ElectionCreated } from '../../src/domain/election-events.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { importPublicKey } from '../../src/client/voter-ballot.ts';
import { mintCredentials } from '../ballots/fixture.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

let cluster: TestCluster;
let admin: EvoteConnection;

beforeAll(async () => {
  cluster = await startTestCluster({ processes: 2 });
  admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
});
afterAll(async () => {
  await admin?.close();
  await cluster?.close();
});

const errorCode = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof EvoteError ? e.code : String(e)));

describe('anonymous casting through the gateway', () => {
  it('accepts exactly one of 100 simultaneous casts with one N1 over 100 connections, then closes at the last ballot', async () => {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Concurrency', choices: ['Yes', 'No'], expectedVoters: 3 }, { token });
    for (let i = 0; i < 3; i++) await admin.request('command', 'election.registerVoter', { electionId, email: `c${i}@example.org` }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const store = cluster.systems[0]!.store;
    const [created] = await store.readStream(electionStreamId(electionId), { limit: 1 });
    const ballotKey = importPublicKey((created!.data as ElectionCreated['data']).ballotPublicKey);
    const tokens = await mintCredentials(store, electionId, 3);

    // Blind signing needs a voter token.
    expect(await errorCode(admin.request('command', 'ballot.blindSign', { electionId, blindedMessage: 'AAAA' }))).toBe('UNAUTHENTICATED');

    const urls = cluster.systems.map((s) => s.gateway!.url);
    const connections = await Promise.all(Array.from({ length: 100 }, (_, i) => EvoteConnection.connect(urls[i % urls.length]!)));
    try {
      const ciphertexts = connections.map(() => encryptBallotToText(ballotKey, electionId, new Uint8Array([1])));
      const outcomes = await Promise.all(
        connections.map((c, i) =>
          c.request<{ ballotHash: string; position: number }>('command', 'ballot.cast', { electionId, n1: tokens[0]!.n1, ciphertext: ciphertexts[i] }).then(
            (receipt) => ({ receipt, code: 'ok' }),
            (e: unknown) => ({ receipt: undefined, code: e instanceof EvoteError ? e.code : String(e) }),
          ),
        ),
      );
      const accepted = outcomes.filter((o) => o.code === 'ok');
      expect(accepted).toHaveLength(1);
      expect(outcomes.filter((o) => o.code === 'ALREADY_CAST')).toHaveLength(99);

      // A cast is answered once durably pooled (docs/ballots.md), with a receipt signed by the log
      // key; with fewer than k ballots in the pool it stays held: not on the board yet.
      const receipt = accepted[0]!.receipt!;
      const created0 = created!.data as ElectionCreated['data'];
      expect(verifyCastReceipt(created0.logPublicKey, electionId, receipt.ballotHash, (receipt as unknown as { signature: string }).signature)).toBe(true);
      const reader = connections[1]!;
      const lookUp = () => reader.request('query', 'ballots.receipt', { electionId, ballotHash: receipt.ballotHash });
      expect(await errorCode(lookUp())).toBe('BALLOT_NOT_FOUND');
      expect(await errorCode(reader.request('command', 'ballot.cast', { electionId, n1: 'AAAAAAAAAAAAAAAAAAAAAA', ciphertext: ciphertexts[0] }))).toBe('UNKNOWN_CREDENTIAL');
      expect(await errorCode(reader.request('command', 'ballot.cast', { electionId, n1: tokens[1]!.n1, ciphertext: 'AAAA' }))).toBe('INVALID_BALLOT');

      // The 2nd and 3rd ballots: the election ends itself (ALL_VOTED) at the 3rd, releasing the pool first.
      await connections[2]!.request('command', 'ballot.cast', { electionId, n1: tokens[1]!.n1, ciphertext: ciphertexts[2] });
      await connections[3]!.request('command', 'ballot.cast', { electionId, n1: tokens[2]!.n1, ciphertext: ciphertexts[3] });
      await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 5_000, 'auto-close');
      await until(async () => (await errorCode(lookUp())) === 'ok', 5_000, 'receipt on the board');
      expect(await lookUp()).toMatchObject({ ballotHash: receipt.ballotHash, status: null });
      const board = await reader.request<{ ballots: { ballotHash: string; position: number }[] }>('query', 'ballots.board', { electionId });
      expect(board.ballots).toHaveLength(3);
      expect(await errorCode(reader.request('query', 'ballots.receipt', { electionId, ballotHash: '0'.repeat(64) }))).toBe('BALLOT_NOT_FOUND');
      const log = await store.readStream(electionStreamId(electionId));
      const endedAt = log.find((e) => e.type === 'VotingEnded')!.position;
      expect(board.ballots.every((b) => b.position < endedAt)).toBe(true);
      const ended = (await store.readStream(electionStreamId(electionId))).filter((e) => e.type === 'VotingEnded');
      expect(ended.map((e) => (e.data as { reason: string }).reason)).toEqual(['ALL_VOTED']);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
  });

  it('refuses a cast after voting ended with VOTING_CLOSED', async () => {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Late', choices: ['Yes', 'No'], expectedVoters: 5 }, { token });
    await admin.request('command', 'election.registerVoter', { electionId, email: 'late@example.org' }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const store = cluster.systems[0]!.store;
    const [created] = await store.readStream(electionStreamId(electionId), { limit: 1 });
    const ciphertext = encryptBallotToText(importPublicKey((created!.data as ElectionCreated['data']).ballotPublicKey), electionId, new Uint8Array([1]));
    const [t] = await mintCredentials(store, electionId, 1);
    await admin.request('command', 'election.end', { electionId }, { token });
    const voter = await EvoteConnection.connect(cluster.systems[1]!.gateway!.url);
    try {
      expect(await errorCode(voter.request('command', 'ballot.cast', { electionId, n1: t!.n1, ciphertext }))).toBe('VOTING_CLOSED');
    } finally {
      await voter.close();
    }
  });
});
