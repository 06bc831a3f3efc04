/**
 * Casting through the command on real PostgreSQL: one ballot per N1, unknown N1, malformed
 * ciphertext, casting after VotingEnded; the votes read model, receipts and the bulletin board.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBallotCaster, type BallotCaster } from '../../src/commands/cast-ballot.ts';
import { createBlindSigner } from '../../src/commands/blind-sign.ts';
import { finishBallot, prepareBallot } from '../../src/client/voter-ballot.ts';
import { createBallotQueries } from '../../src/projections/ballot-queries.ts';
import { hashToken } from '../../src/credentials/tokens.ts';
import { n2Commitment } from '../../src/crypto/n2-commitment.ts';

const SALT = 'AAECAwQFBgcICQoLDA0ODw';
import { decryptBallot } from '../../src/crypto/ballot-encryption.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { mintCredentials, openElection, startWorld, type TestElection, type World } from './fixture.ts';
import { credentialStreamId } from '../../src/domain/streams.ts';

let world: World;
let caster: BallotCaster;
let election: TestElection;
let tokens: { n1: string; n2: string }[];

beforeAll(async () => {
  world = await startWorld();
  caster = createBallotCaster({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus });
  election = await openElection(world, { voters: 10 });
  tokens = await mintCredentials(world.store, election.electionId, 10);
});
afterAll(async () => world?.close());

/** A whole voter: blind-sign through the real command, finish, encrypt. */
async function signedBallot(voterIndex: number, choice: string, n2: string): Promise<{ ciphertext: string; ballotHash: string }> {
  const signer = createBlindSigner({ pool: world.pool, keyStore: world.keyStore, electionStatus: world.electionStatus, signing: world.signing });
  const b = prepareBallot({ electionId: election.electionId, choice, n2Commitment: n2Commitment(n2, SALT), authorityPublicKey: election.authorityPublicKey });
  const r = await signer.blindSign(
    { electionId: election.electionId, voterId: election.voterIds[voterIndex]!, clientId: 'c' },
    { electionId: election.electionId, blindedMessage: b.blindedMessage },
  );
  if (!r.ok) throw new Error(r.error.code);
  return finishBallot({ ...b, blindSignature: r.value.blindSignature, authorityPublicKey: election.authorityPublicKey, ballotPublicKey: election.ballotPublicKey, electionId: election.electionId });
}

describe('ballot.cast command', () => {
  it('casts once: the receipt names the BallotCast, the counter can decrypt it, the board shows it', async () => {
    const { n1, n2 } = tokens[0]!;
    const ballot = await signedBallot(0, 'Bob', n2);
    const r = await caster.cast({ electionId: election.electionId, n1, ciphertext: ballot.ciphertext });
    if (!r.ok) throw new Error(r.error.code);
    expect(r.value.ballotHash).toBe(ballot.ballotHash);

    // With k = 0 the ballot is released at once, to a stream of its own; the spend waits for the close.
    if (r.value.position === null) throw new Error('with the pool off the ballot is in the log at once');
    const [cast] = await world.store.readAll({ fromPosition: r.value.position - 1, limit: 1 });
    expect(cast).toMatchObject({ type: 'BallotCast', streamId: expect.stringMatching(new RegExp(`^ballot-${election.electionId}-[0-9a-f-]{36}$`)) });
    expect(Object.keys(cast!.data as object).sort()).toEqual(['ballotHash', 'ciphertext', 'electionId']);
    // Nothing that leads back to the letter: no N1 or its hash, no N2.
    for (const secret of [n1, hashToken(n1)!, n2]) expect(JSON.stringify(cast!.data)).not.toContain(secret);
    expect((await world.store.readStream(credentialStreamId(election.electionId, hashToken(n1)!))).map((e) => e.type)).toEqual(['CredentialMinted']);

    const opened = decryptBallot(election.ballotPrivateKey, ballot.ciphertext, election.electionId);
    if (!opened.ok) throw new Error(opened.error.code);
    const plain = decodeBallotPlaintext(opened.value.plaintext);
    if (!plain.ok) throw new Error(plain.error.code);
    expect(ballotMessageOf(plain.value.preparedMessage)).toEqual({ ok: true, value: { electionId: election.electionId, choice: 'Bob', n2Commitment: n2Commitment(n2, SALT) } });
    await world.runner.waitFor(r.value.position);
    const queries = createBallotQueries(world.sql);
    const receipt = await queries.receipt(election.electionId, ballot.ballotHash);
    expect(receipt).toMatchObject({ ballotHash: ballot.ballotHash, position: r.value.position, status: null });
    const board = await queries.board(election.electionId, {});
    expect(board.ballots).toEqual([{ ballotHash: ballot.ballotHash, ciphertext: ballot.ciphertext, position: r.value.position }]);
    expect(board.next).toBeNull();

    const again = await caster.cast({ electionId: election.electionId, n1, ciphertext: ballot.ciphertext });
    expect(again.ok ? 'ok' : again.error.code).toBe('ALREADY_CAST');
    const other = await signedBallot(1, 'Alice', tokens[1]!.n2);
    const swapped = await caster.cast({ electionId: election.electionId, n1, ciphertext: other.ciphertext });
    expect(swapped.ok ? 'ok' : swapped.error.code).toBe('ALREADY_CAST');
  });

  it('accepts exactly one of 30 concurrent casts with one N1 (command level)', async () => {
    const { n1, n2 } = tokens[2]!;
    const ballots = await Promise.all([2, 5, 6].map((voter) => signedBallot(voter, 'Carol', n2)));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => caster.cast({ electionId: election.electionId, n1, ciphertext: ballots[i % 3]!.ciphertext })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code))).toEqual(Array(29).fill('ALREADY_CAST'));
    const hashes = new Set(ballots.map((b) => b.ballotHash));
    const released = (await world.store.readAll({ limit: 10_000 })).filter((e) => e.type === 'BallotCast' && hashes.has((e.data as { ballotHash: string }).ballotHash));
    expect(released).toHaveLength(1);
  });

  it('refuses an unknown N1 (also in another election) and a malformed ciphertext', async () => {
    const ballot = await signedBallot(3, 'Alice', tokens[3]!.n2);
    const unknown = await caster.cast({ electionId: election.electionId, n1: 'AAAAAAAAAAAAAAAAAAAAAA', ciphertext: ballot.ciphertext });
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('UNKNOWN_CREDENTIAL');
    const elsewhere = await caster.cast({ electionId: 'other-election', n1: tokens[3]!.n1, ciphertext: ballot.ciphertext });
    expect(elsewhere.ok ? 'ok' : elsewhere.error.code).toBe('UNKNOWN_CREDENTIAL');
    for (const ciphertext of ['AAAA', Buffer.from('random bytes that are no ballot').toString('base64url'), 'not base64url!']) {
      const bad = await caster.cast({ electionId: election.electionId, n1: tokens[3]!.n1, ciphertext });
      expect(bad.ok ? 'ok' : bad.error.code).toBe('INVALID_BALLOT');
    }
    // Refusals leave the credential unused.
    expect(await world.store.readStream(credentialStreamId(election.electionId, hashToken(tokens[3]!.n1)!))).toHaveLength(1);
  });

  it('refuses casting after VotingEnded with VOTING_CLOSED', async () => {
    const ballot = await signedBallot(4, 'Alice', tokens[4]!.n2);
    await world.commands.endVoting({ electionId: election.electionId });
    const late = await caster.cast({ electionId: election.electionId, n1: tokens[4]!.n1, ciphertext: ballot.ciphertext });
    expect(late.ok ? 'ok' : late.error.code).toBe('VOTING_CLOSED');
    // The close released the spends: each credential that cast shows it, and nothing else.
    for (const t of [tokens[0]!, tokens[2]!]) {
      expect((await world.store.readStream(credentialStreamId(election.electionId, hashToken(t.n1)!))).map((e) => e.type)).toEqual(['CredentialMinted', 'CredentialSpent']);
    }
  });
});
