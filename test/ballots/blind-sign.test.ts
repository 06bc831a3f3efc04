/**
 * Blind signing through the command, on real PostgreSQL with the election's real authority key:
 * once per voter, the same blinded message gets the same signature, a different one is refused,
 * 50 concurrent requests of one voter record ONE BlindSignatureIssued, 40 voters racing two messages
 * each get one signature each, and the unblinded signature verifies with our RFC 9474 verifier and
 * with node:crypto's own RSASSA-PSS (SHA-384, salt 48). The private operation runs on the signing pool.
 */
import { constants, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlindSigner, type BlindSigner } from '../../src/commands/blind-sign.ts';
import { verify } from '../../src/crypto/blind-rsa.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { openElection, startWorld, type TestElection, type World } from './fixture.ts';
import { voterStreamId } from '../../src/domain/streams.ts';

let world: World;
let signer: BlindSigner;
let election: TestElection;

beforeAll(async () => {
  world = await startWorld();
  signer = createBlindSigner({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus, signing: world.signing });
  election = await openElection(world, { voters: 5 });
});
afterAll(async () => world?.close());

const principal = (voterId: string, electionId = election.electionId) => ({ electionId, voterId, clientId: 'test-client' });
const ballot = (choice = 'Alice') =>
  prepareBallot({ electionId: election.electionId, choice, n2Commitment: '0'.repeat(64), authorityPublicKey: election.authorityPublicKey });
const issuedEvents = async (voterId: string) =>
  (await world.store.readStream(voterStreamId(election.electionId, voterId))).filter((e) => e.type === 'BlindSignatureIssued');

describe('ballot.blindSign command', () => {
  it('signs once; the unblinded signature verifies with blind-rsa verify and node:crypto PSS', async () => {
    const voterId = election.voterIds[0]!;
    const b = ballot();
    const r = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: b.blindedMessage });
    if (!r.ok) throw new Error(r.error.code);
    const done = finishBallot({ ...b, blindSignature: r.value.blindSignature, authorityPublicKey: election.authorityPublicKey, ballotPublicKey: election.ballotPublicKey, electionId: election.electionId });
    expect(verify(election.authorityPublicKey, b.prepared, done.signature)).toBe(true);
    expect(
      nodeVerify('sha384', b.prepared, { key: election.authorityPublicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, done.signature),
    ).toBe(true);
    // A tampered message does not verify.
    const tampered = Uint8Array.from(b.prepared);
    tampered[tampered.length - 1]! ^= 1;
    expect(verify(election.authorityPublicKey, tampered, done.signature)).toBe(false);
    const events = await issuedEvents(voterId);
    expect(events).toHaveLength(1);
    // Only the hash of the blinded message is recorded.
    expect(JSON.stringify(events[0]!.data)).not.toContain(b.blindedMessage);
  });

  it('answers the same blinded message with the same signature and refuses a different one', async () => {
    const voterId = election.voterIds[1]!;
    const b = ballot('Bob');
    const first = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: b.blindedMessage });
    const again = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: b.blindedMessage });
    expect(first.ok && again.ok && first.value.blindSignature === again.value.blindSignature).toBe(true);
    const other = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: ballot('Carol').blindedMessage });
    expect(other.ok ? 'ok' : other.error.code).toBe('ALREADY_SIGNED');
    expect(await issuedEvents(voterId)).toHaveLength(1);
  });

  it('records ONE event for 50 concurrent requests of one voter: identical signatures, or ALREADY_SIGNED for other messages', async () => {
    const voterId = election.voterIds[2]!;
    const b = ballot();
    const others = Array.from({ length: 10 }, () => ballot('Carol').blindedMessage);
    const requests = [
      ...Array.from({ length: 40 }, () => b.blindedMessage),
      ...others,
    ].map((blindedMessage) => signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage }));
    const results = await Promise.all(requests);
    const events = await issuedEvents(voterId);
    expect(events).toHaveLength(1);
    const signatures = new Set(results.filter((r) => r.ok).map((r) => (r.ok ? r.value.blindSignature : '')));
    expect(signatures.size).toBe(1);
    const refused = results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code));
    expect(new Set(refused)).toEqual(refused.length ? new Set(['ALREADY_SIGNED']) : new Set());
    // Either the common message won (40 ok, 10 refused) or one of the others did (1 ok, 49 refused).
    expect([40, 1]).toContain(results.filter((r) => r.ok).length);
  });

  it('signs 40 voters at once, two different messages each: one signature per voter, each for the message it answers', async () => {
    const crowd = await openElection(world, { voters: 40 });
    const tries = crowd.voterIds.flatMap((voterId) =>
      ['Alice', 'Bob'].map((choice) => ({
        voterId,
        b: prepareBallot({ electionId: crowd.electionId, choice, n2Commitment: '0'.repeat(64), authorityPublicKey: crowd.authorityPublicKey }),
      })),
    );
    const results = await Promise.all(tries.map((t) => signer.blindSign(principal(t.voterId, crowd.electionId), { electionId: crowd.electionId, blindedMessage: t.b.blindedMessage })));
    for (const voterId of crowd.voterIds) {
      const mine = results.flatMap((r, i) => (tries[i]!.voterId === voterId ? [{ r, t: tries[i]! }] : []));
      const won = mine.filter(({ r }) => r.ok);
      expect(won).toHaveLength(1);
      expect(mine.filter(({ r }) => !r.ok).map(({ r }) => (r.ok ? '' : r.error.code))).toEqual(['ALREADY_SIGNED']);
      // The reply unblinds into a valid signature only with the inverse of the very request it answers.
      const { r, t } = won[0]!;
      const done = finishBallot({ ...t.b, blindSignature: r.ok ? r.value.blindSignature : '', authorityPublicKey: crowd.authorityPublicKey, ballotPublicKey: crowd.ballotPublicKey, electionId: crowd.electionId });
      expect(verify(crowd.authorityPublicKey, t.b.prepared, done.signature)).toBe(true);
      const events = (await world.store.readStream(voterStreamId(crowd.electionId, voterId))).filter((e) => e.type === 'BlindSignatureIssued');
      expect(events).toHaveLength(1);
    }
  });

  it('refuses a token of another election, a malformed blinded message, and a closed election', async () => {
    const voterId = election.voterIds[3]!;
    const b = ballot();
    const forbidden = await signer.blindSign(principal(voterId, 'another-election'), { electionId: election.electionId, blindedMessage: b.blindedMessage });
    expect(forbidden.ok ? 'ok' : forbidden.error.code).toBe('FORBIDDEN');
    const short = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: 'AAAA' });
    expect(short.ok ? 'ok' : short.error.code).toBe('INVALID_BLINDED_MESSAGE');
    const aboveN = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: Buffer.alloc(256, 0xff).toString('base64url') });
    expect(aboveN.ok ? 'ok' : aboveN.error.code).toBe('INVALID_BLINDED_MESSAGE');
    expect(await issuedEvents(voterId)).toHaveLength(0); // malformed input never burns the voter's signature

    const notStarted = await openElection(world, { voters: 1, start: false });
    const early = await signer.blindSign(principal(notStarted.voterIds[0]!, notStarted.electionId), { electionId: notStarted.electionId, blindedMessage: b.blindedMessage });
    expect(early.ok ? 'ok' : early.error.code).toBe('WRONG_STATE');
    await world.commands.endVoting({ electionId: election.electionId });
    const late = await signer.blindSign(principal(voterId), { electionId: election.electionId, blindedMessage: b.blindedMessage });
    expect(late.ok ? 'ok' : late.error.code).toBe('WRONG_STATE');
  });
});
