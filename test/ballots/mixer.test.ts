/**
 * Mixing on real PostgreSQL: 20 casts are held until k = 20 are pending, then appended in a
 * crypto-random order; each is acknowledged only after its own append (its receipt's position is
 * in the log when the ack arrives), and the log order differs from the submission order. A losing
 * duplicate N1 inside a batch fails alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBallotCaster } from '../../src/commands/cast-ballot.ts';
import { createBallotMixer, shuffle } from '../../src/commands/ballot-mixer.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import type { BallotCast } from '../../src/domain/credential-events.ts';
import { until } from '../support/system.ts';
import { mintCredentials, openElection, startWorld, type World } from './fixture.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world?.close());

describe('ballot mixer', () => {
  it('holds 20 casts, appends them shuffled, acknowledges each only after its own append', async () => {
    const election = await openElection(world, { voters: 21 });
    const tokens = await mintCredentials(world.store, election.electionId, 20);
    const mixer = createBallotMixer(world.store, { k: 20, maxWaitMs: 60_000 });
    const caster = createBallotCaster({ store: world.store, electionStatus: world.electionStatus, append: mixer.append });
    const ciphertexts = tokens.map((_, i) => encryptBallotToText(election.ballotPublicKey, election.electionId, new Uint8Array([i])));
    const head = await world.store.headPosition();

    const acks: { i: number; inLog: boolean }[] = [];
    const castOne = (i: number) =>
      caster.cast({ electionId: election.electionId, n1: tokens[i]!.n1, ciphertext: ciphertexts[i]! }).then(async (r) => {
        if (!r.ok) throw new Error(r.error.code);
        // At ack time, the ballot is already in the log at the receipt's position.
        const [event] = await world.store.readAll({ fromPosition: r.value.position - 1, limit: 1 });
        acks.push({ i, inLog: (event?.data as BallotCast['data'] | undefined)?.ballotHash === r.value.ballotHash });
      });
    // Submitted one after another, so submission order is 0..19.
    const casts: Promise<void>[] = [];
    for (let i = 0; i < 19; i++) {
      casts.push(castOne(i));
      await until(() => mixer.pending === i + 1, 5_000, `cast ${i} held`);
    }
    await new Promise((r) => setTimeout(r, 200));
    // Nothing is written or acknowledged before k casts are pending.
    expect(acks).toEqual([]);
    expect(await world.store.headPosition()).toBe(head);
    casts.push(castOne(19));
    await Promise.all(casts);
    expect(acks.every((a) => a.inLog)).toBe(true);

    const logged = (await world.store.readAll({ fromPosition: head, filter: { eventTypes: ['BallotCast'] }, limit: 100 }))
      .filter((e) => (e.data as BallotCast['data']).electionId === election.electionId)
      .map((e) => ciphertexts.indexOf((e.data as BallotCast['data']).ciphertext));
    expect([...logged].sort((a, b) => a - b)).toEqual(ciphertexts.map((_, i) => i));
    // 1 in 20! that a uniform shuffle is the identity.
    expect(logged).not.toEqual(ciphertexts.map((_, i) => i));
    await mixer.close();
  });

  it('flushes after maxWaitMs, and a duplicate N1 in a batch fails alone', async () => {
    const election = await openElection(world, { voters: 3 });
    const tokens = await mintCredentials(world.store, election.electionId, 2);
    const mixer = createBallotMixer(world.store, { k: 100, maxWaitMs: 200 });
    const caster = createBallotCaster({ store: world.store, electionStatus: world.electionStatus, append: mixer.append });
    const ct = () => encryptBallotToText(election.ballotPublicKey, election.electionId, new Uint8Array([7]));
    const started = Date.now();
    const results = await Promise.all([
      caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ct() }),
      caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ct() }),
      caster.cast({ electionId: election.electionId, n1: tokens[1]!.n1, ciphertext: ct() }),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code)).sort()).toEqual(['ALREADY_CAST', 'ok', 'ok']);
    await mixer.close();
  });

  it('shuffles uniformly enough (every position reached by every item)', () => {
    const seen = Array.from({ length: 5 }, () => new Set<number>());
    for (let n = 0; n < 500; n++) shuffle([0, 1, 2, 3, 4]).forEach((item, pos) => seen[item]!.add(pos));
    expect(seen.every((s) => s.size === 5)).toBe(true);
  });
});
