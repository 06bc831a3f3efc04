/**
 * The ballot pool on real PostgreSQL: it holds k of each kind per election and releases the rest in
 * random order, one ballot per N1 and one signature per voter across the pool and the log (also
 * between two processes), every close releases everything before VotingEnded, and a release cut off
 * after its append is finished, not repeated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createBallotCaster, type BallotCaster } from '../../src/commands/cast-ballot.ts';
import { createBallotPool } from '../../src/commands/ballot-pool.ts';
import { createBlindSigner } from '../../src/commands/blind-sign.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { createPgClient } from '../../src/sql/client.ts';
import { POOL_TABLE, storeAdmission } from '../../src/pool/pool-table.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { prepareBallot } from '../../src/client/voter-ballot.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { mintCredentials, openElection, startWorld, type TestElection, type World } from './fixture.ts';
import { credentialStreamId, electionStreamId, voterStreamId } from '../../src/domain/streams.ts';

const K = 4;
let world: World;
let caster: BallotCaster;

beforeAll(async () => {
  world = await startWorld({ poolK: K });
  caster = createBallotCaster({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus });
});
afterAll(async () => world?.close());

const ciphertextFor = (e: TestElection, i: number) => encryptBallotToText(e.ballotPublicKey, e.electionId, new Uint8Array([i % 256, i >> 8]));
const logged = async (electionId: string, type: string) =>
  (await world.store.readAll({ limit: 100_000 })).filter((e) => e.type === type && (e.data as { electionId?: string }).electionId === electionId);
const poolRows = async (electionId: string) =>
  Number((await world.sql.query<{ n: string }>(`select count(*) as n from ${POOL_TABLE} where election_id = $1`, [electionId])).rows[0]!.n);

describe('ballot pool', () => {
  it('holds k casts, releases the rest in an order that is not arrival order, and releases all before VotingEnded', async () => {
    const election = await openElection(world, { voters: 40 });
    const tokens = await mintCredentials(world.store, election.electionId, 40);
    const arrival: string[] = [];
    for (const [i, t] of tokens.entries()) {
      const r = await caster.cast({ electionId: election.electionId, n1: t.n1, ciphertext: ciphertextFor(election, i) });
      if (!r.ok) throw new Error(r.error.code);
      arrival.push(r.value.ballotHash);
      expect(await world.pool.held(election.electionId, 'cast')).toBe(Math.min(i + 1, K));
      expect(await world.pool.held(election.electionId, 'spend')).toBe(i + 1);
      expect(await logged(election.electionId, 'BallotCast')).toHaveLength(Math.max(0, i + 1 - K));
    }
    const released = (await logged(election.electionId, 'BallotCast')).map((e) => (e.data as { ballotHash: string }).ballotHash);
    // 36 releases each picking 1 of 5 held: arrival order by chance has probability 5^-36.
    expect(released).not.toEqual(arrival.slice(0, released.length));

    const ended = await world.commands.endVoting({ electionId: election.electionId });
    expect(ended.ok).toBe(true);
    const casts = await logged(election.electionId, 'BallotCast');
    expect(new Set(casts.map((e) => (e.data as { ballotHash: string }).ballotHash))).toEqual(new Set(arrival));
    const votingEnded = (await world.store.readStream(electionStreamId(election.electionId))).find((e) => e.type === 'VotingEnded')!;
    expect(casts.every((e) => e.position < votingEnded.position)).toBe(true);
    expect(await world.pool.held(election.electionId)).toBe(0);

    const late = await caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ciphertextFor(election, 0) });
    expect(late.ok ? 'ok' : late.error.code).toBe('ALREADY_CAST');
    const [fresh] = await mintCredentials(world.store, election.electionId, 1);
    const closed = await caster.cast({ electionId: election.electionId, n1: fresh!.n1, ciphertext: ciphertextFor(election, 99) });
    expect(closed.ok ? 'ok' : closed.error.code).toBe('VOTING_CLOSED');
  });

  it('allows one ballot per N1 whether the first is held or released, also between two processes', async () => {
    const election = await openElection(world, { voters: 3 });
    const tokens = await mintCredentials(world.store, election.electionId, 2);
    const first = await caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ciphertextFor(election, 1) });
    if (!first.ok) throw new Error(first.error.code);
    const again = await caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ciphertextFor(election, 1) });
    const other = await caster.cast({ electionId: election.electionId, n1: tokens[0]!.n1, ciphertext: ciphertextFor(election, 2) });
    expect(again.ok ? 'ok' : again.error).toMatchObject({ code: 'ALREADY_CAST' });
    expect(other.ok ? 'ok' : other.error).toMatchObject({ code: 'ALREADY_CAST' });

    // A second process: its own connections, store and pool, on the same database.
    const sql2 = createPgClient(world.databaseUrl);
    const store2 = await createSqlEventStore(sql2);
    const pool2 = await createBallotPool({ sql: sql2, store: store2, k: 0, log: silentLogger });
    const caster2 = createBallotCaster({ pool: pool2, keyStore: world.keyStore, electionStatus: world.electionStatus });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? caster : caster2).cast({ electionId: election.electionId, n1: tokens[1]!.n1, ciphertext: ciphertextFor(election, 10 + i) }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(new Set(results.flatMap((r) => (r.ok ? [] : [r.error.code])))).toEqual(new Set(['ALREADY_CAST']));
    } finally {
      await pool2.stop();
      await store2.close();
      await sql2.close();
    }
    await world.commands.endVoting({ electionId: election.electionId });
    const stream = await world.store.readStream(credentialStreamId(election.electionId, hashToken(tokens[1]!.n1)!));
    expect(stream.map((e) => e.type)).toEqual(['CredentialMinted', 'CredentialSpent']);
  });

  it('holds blind-signature records too: at most one per voter across the pool and the log', async () => {
    const election = await openElection(world, { voters: 2 });
    const signer = createBlindSigner({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus, signing: world.signing });
    const voterId = election.voterIds[0]!;
    const principal = { electionId: election.electionId, voterId, clientId: 'c' };
    const blinded = () => prepareBallot({ electionId: election.electionId, choice: 'Alice', n2Commitment: '0'.repeat(64), authorityPublicKey: election.authorityPublicKey }).blindedMessage;
    const b = blinded();
    const one = await signer.blindSign(principal, { electionId: election.electionId, blindedMessage: b });
    const retry = await signer.blindSign(principal, { electionId: election.electionId, blindedMessage: b });
    const other = await signer.blindSign(principal, { electionId: election.electionId, blindedMessage: blinded() });
    if (!one.ok || !retry.ok) throw new Error('signing failed');
    expect(retry.value.blindSignature).toBe(one.value.blindSignature);
    expect(other.ok ? 'ok' : other.error.code).toBe('ALREADY_SIGNED');
    const issued = async () => (await world.store.readStream(voterStreamId(election.electionId, voterId))).filter((e) => e.type === 'BlindSignatureIssued');
    expect(await issued()).toHaveLength(0);
    await world.commands.endVoting({ electionId: election.electionId });
    const after = await issued();
    expect(after).toHaveLength(1);
    expect(Object.keys(after[0]!.data as object).sort()).toEqual(['blindedMessageHash', 'electionId', 'voterId']);
  });

  it('finishes a release that was cut off after its append instead of appending twice', async () => {
    const election = await openElection(world, { voters: 2 });
    const [t] = await mintCredentials(world.store, election.electionId, 1);
    const streamId = credentialStreamId(election.electionId, hashToken(t!.n1)!);
    const event = { type: 'CredentialSpent', data: { electionId: election.electionId, hashN1: hashToken(t!.n1) }, id: randomUUID() };
    // The state a crash leaves: the event in the log and still in the pool.
    await storeAdmission(world.sql, election.electionId, [{ electionId: election.electionId, streamId, kind: 'spend', expectedRevision: 0, event }]);
    await world.store.append(streamId, [event], { expectedRevision: 0 });
    const ended = await world.commands.endVoting({ electionId: election.electionId });
    expect(ended.ok).toBe(true);
    expect((await world.store.readStream(streamId)).map((e) => e.id)).toHaveLength(2);
    expect(await poolRows(election.electionId)).toBe(0);
  });
});
