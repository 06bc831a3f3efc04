/**
 * The tally over the real composition (bootstrap with every feature, Postgres, Redis, the gateway
 * on an ephemeral port): tally.run refused before VOTE_ENDED and without the admin token, progress
 * replies, tallyProgress/tallied pushes to election subscribers, tally.results and receipts by N2
 * commitment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError, type Push } from '../../src/client/connection.ts';
import { keyNames } from '../../src/keystore/port.ts';
import { privateKeyFromPkcs8 } from '../../src/commands/election-keys.ts';
import { rsaPublicKeyOf } from '../../src/crypto/rsa.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { castBallot, commitmentOf, encryptFor, mintCredentials, ok, signedPlaintext, type TestElection } from './fixture.ts';

describe('tally over the gateway', () => {
  let cluster: TestCluster;
  let conn: EvoteConnection;
  let election: TestElection;
  const voters: { commitment: string; choice: string }[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    const system = cluster.systems[0]!;
    const choices = ['Oak', 'Pine'];
    const { electionId } = ok(await system.commands.createElection({ theme: 'Trees', choices, expectedVoters: 100 }));
    ok(await system.commands.registerVoter({ electionId, email: 'tree@example.org' }));
    ok(await system.commands.startVoting({ electionId }));
    const authority = privateKeyFromPkcs8((await system.keyStore.get(keyNames.authority(electionId))) as Uint8Array);
    const counter = privateKeyFromPkcs8((await system.keyStore.get(keyNames.counter(electionId))) as Uint8Array);
    election = { electionId, choices, authorityPrivateKey: authority, authorityPublicKey: rsaPublicKeyOf(authority), ballotPublicKey: rsaPublicKeyOf(counter) };
    const creds = await mintCredentials(system.store, electionId, 30);
    for (const [i, cred] of creds.entries()) {
      const choice = i % 3 === 0 ? 'Pine' : 'Oak';
      const commitment = commitmentOf(cred);
      await castBallot(system.store, electionId, cred.n1, encryptFor(election, signedPlaintext(election, { choice, n2Commitment: commitment, fast: true })));
      voters.push({ commitment, choice });
    }
    conn = await EvoteConnection.connect(system.gateway!.url);
  }, 120_000);

  afterAll(async () => {
    await conn?.close();
    await cluster?.close();
  });

  it('refuses tally.run before VOTE_ENDED and without the admin token', async () => {
    const refused = await conn.request('command', 'tally.run', { electionId: election.electionId }, { token: cluster.adminToken }).catch((e: EvoteError) => e);
    expect(refused).toBeInstanceOf(EvoteError);
    expect((refused as EvoteError).code).toBe('WRONG_STATE');
    const anonymous = await conn.request('command', 'tally.run', { electionId: election.electionId }).catch((e: EvoteError) => e);
    expect((anonymous as EvoteError).code).toBe('UNAUTHORIZED');
    const badPayload = await conn.request('command', 'tally.run', { electionId: election.electionId, workers: 0 }, { token: cluster.adminToken }).catch((e: EvoteError) => e);
    expect((badPayload as EvoteError).code).toBe('INVALID_PAYLOAD');
  });

  it('runs the tally with progress, pushes tallyProgress and tallied, and serves results and receipts', async () => {
    const system = cluster.systems[0]!;
    ok(await system.commands.endVoting({ electionId: election.electionId }));
    const pushes: Record<string, unknown>[] = [];
    const watcher = await EvoteConnection.connect(system.gateway!.url);
    try {
      await watcher.subscribe('election', { electionId: election.electionId }, (p: Push) => pushes.push(p.payload as Record<string, unknown>));
      const progress: { done: number; total: number }[] = [];
      const result = await conn.request<{ counts: Record<string, number>; ballots: number }>(
        'command',
        'tally.run',
        { electionId: election.electionId, workers: 2 },
        { token: cluster.adminToken, timeoutMs: 60_000, onProgress: (p) => progress.push(p as { done: number; total: number }) },
      );
      expect(result).toMatchObject({ counts: { Oak: 20, Pine: 10 }, ballots: 30 });
      expect(progress.at(-1)).toEqual({ done: 30, total: 30 });

      // The command's reply waited for the read models: results are there at once.
      const results = await conn.request('query', 'tally.results', { electionId: election.electionId });
      expect(results).toMatchObject({ counts: { Oak: 20, Pine: 10 }, ballots: 30, counted: 30, published: true });
      const receipt = (n2Commitment: string) => conn.request('query', 'ballots.receiptByCommitment', { electionId: election.electionId, n2Commitment });
      for (const v of voters.slice(0, 5)) {
        expect(await receipt(v.commitment)).toMatchObject({ status: 'VALID', choice: v.choice, duplicates: 0 });
      }
      expect(((await receipt('0'.repeat(64)).catch((e: EvoteError) => e)) as EvoteError).code).toBe('BALLOT_NOT_FOUND');
      // Only a commitment is asked for: N2 itself (the letter's) is refused as a payload.
      expect(((await receipt('A'.repeat(22)).catch((e: EvoteError) => e)) as EvoteError).code).toBe('INVALID_PAYLOAD');
      const unknown = await conn.request('query', 'tally.results', { electionId: 'nope' }).catch((e: EvoteError) => e);
      expect((unknown as EvoteError).code).toBe('ELECTION_NOT_FOUND');

      await until(() => pushes.some((p) => p.transition === 'tallied'), 10_000, 'the tallied push');
      const tallyPushes = pushes.filter((p) => p.transition === 'tallyProgress');
      expect(tallyPushes.at(-1)).toMatchObject({ done: 30, total: 30, status: 'VOTE_ENDED' });
      expect(pushes.find((p) => p.transition === 'tallied')).toMatchObject({ counts: { Oak: 20, Pine: 10 }, ballots: 30 });
      const positions = pushes.map((p) => p.position as number);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));

      // A second run returns the published tally.
      const again = await conn.request('command', 'tally.run', { electionId: election.electionId }, { token: cluster.adminToken });
      expect(again).toMatchObject({ counts: { Oak: 20, Pine: 10 } });
    } finally {
      await watcher.close();
    }
  });
});
