/**
 * Closing: auto-close ends voting (ALL_VOTED) at the expectedVoters-th ballot, exactly once; the
 * closing scheduler ends an election at its closesAt (CLOSING_TIME) with an injected clock, and
 * not a moment before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBallotCaster } from '../../src/commands/cast-ballot.ts';
import { createAutoCloser, type AutoCloser } from '../../src/commands/auto-close.ts';
import { createClosingScheduler } from '../../src/commands/closing-scheduler.ts';
import type { VotingEnded } from '../../src/domain/election-events.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { until } from '../support/system.ts';
import { mintCredentials, openElection, startWorld, type World } from './fixture.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

let world: World;
let autoCloser: AutoCloser;

beforeAll(async () => {
  world = await startWorld();
  autoCloser = createAutoCloser({ store: world.store, pool: world.pool, pubsub: world.pubsub, now: () => new Date(), log: silentLogger });
  await autoCloser.start();
});
afterAll(async () => {
  await autoCloser?.stop();
  await world?.close();
});

const endings = async (electionId: string) =>
  (await world.store.readStream(electionStreamId(electionId))).filter((e) => e.type === 'VotingEnded').map((e) => (e.data as VotingEnded['data']).reason);

describe('closing', () => {
  it('ends voting with ALL_VOTED at the expectedVoters-th ballot, once', async () => {
    const election = await openElection(world, { voters: 4 });
    const tokens = await mintCredentials(world.store, election.electionId, 4);
    const caster = createBallotCaster({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus });
    // The content does not matter to casting (the tally judges it); it must only be a well-formed ciphertext.
    const cast = (i: number) =>
      caster.cast({ electionId: election.electionId, n1: tokens[i]!.n1, ciphertext: encryptBallotToText(election.ballotPublicKey, election.electionId, new Uint8Array([i])) });
    for (let i = 0; i < 3; i++) expect((await cast(i)).ok).toBe(true);
    await world.runner.waitFor(await world.store.headPosition());
    await new Promise((r) => setTimeout(r, 100));
    expect(await endings(election.electionId)).toEqual([]);
    expect((await cast(3)).ok).toBe(true);
    await until(async () => (await endings(election.electionId)).length > 0, 5_000, 'auto-close');
    expect(await endings(election.electionId)).toEqual(['ALL_VOTED']);
    // The scheduler's backstop sees it ended and does nothing.
    const scheduler = createClosingScheduler({ store: world.store, pool: world.pool, sql: world.sql, now: () => new Date(), log: silentLogger });
    await world.runner.waitFor(await world.store.headPosition());
    expect(await scheduler.tick()).toEqual([]);
    expect(await endings(election.electionId)).toEqual(['ALL_VOTED']);
  });

  it('the scheduler ends an election at closesAt, not before', async () => {
    const election = await openElection(world, { voters: 2, start: false });
    const closesAt = new Date(Date.now() + 60 * 60_000);
    const r = await world.commands.configureElection({ electionId: election.electionId, closesAt: closesAt.toISOString() });
    expect(r.ok).toBe(true);
    await world.commands.startVoting({ electionId: election.electionId });
    await world.runner.waitFor(await world.store.headPosition());
    let clock = new Date(closesAt.getTime() - 1_000);
    const scheduler = createClosingScheduler({ store: world.store, pool: world.pool, sql: world.sql, now: () => clock, log: silentLogger, intervalMs: 20 });
    expect(await scheduler.tick()).toEqual([]);
    clock = new Date(closesAt.getTime());
    scheduler.start();
    await until(async () => (await endings(election.electionId)).length > 0, 5_000, 'closing time');
    await scheduler.stop();
    expect(await endings(election.electionId)).toEqual(['CLOSING_TIME']);
  });

  it('the scheduler is the backstop of auto-close when the notification was missed', async () => {
    await autoCloser.stop(); // nobody listens: only the scheduler can close this one
    const election = await openElection(world, { voters: 2 });
    const tokens = await mintCredentials(world.store, election.electionId, 2);
    const caster = createBallotCaster({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus });
    for (const t of tokens) {
      const r = await caster.cast({ electionId: election.electionId, n1: t.n1, ciphertext: encryptBallotToText(election.ballotPublicKey, election.electionId, new Uint8Array([1])) });
      expect(r.ok).toBe(true);
    }
    await world.runner.waitFor(await world.store.headPosition());
    expect(await endings(election.electionId)).toEqual([]);
    const scheduler = createClosingScheduler({ store: world.store, pool: world.pool, sql: world.sql, now: () => new Date(), log: silentLogger });
    expect(await scheduler.tick()).toEqual([{ electionId: election.electionId, reason: 'ALL_VOTED' }]);
    expect(await endings(election.electionId)).toEqual(['ALL_VOTED']);
    await autoCloser.start();
  });
});
