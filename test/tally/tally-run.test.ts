/**
 * The tally against real PostgreSQL: every bad-ballot status, the exclusion of casts after
 * VotingEnded and of byte-identical copies, verifiable decryption (revealed r), the lifecycle rule,
 * counts equal to the VoteCounted events, receipts by N2 commitment, 1 worker = 2 workers, and two
 * concurrent runs counting each ballot once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../../src/crypto/rsa.ts';
import { decryptWithRevealedR } from '../../src/crypto/ballot-encryption.ts';
import { toBase64url, fromBase64url } from '../../src/crypto/bytes.ts';
import { newToken } from '../../src/credentials/tokens.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { decodeBallotPlaintext, ballotMessageOf } from '../../src/crypto/ballot-plaintext.ts';
import type { TallyPublished, VoteCounted } from '../../src/domain/tally-events.ts';
import { runTally, type TallyProgress } from '../../src/tally/tally-run.ts';
import { createProjectionRunner } from '../../src/projections/runner.ts';
import { tallyProjection } from '../../src/projections/tally-projection.ts';
import { createTallyQueries } from '../../src/projections/tally-queries.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import {
  castBallot,
  cloneWorld,
  commitmentOf,
  encryptFor,
  endElection,
  mintCredentials,
  openElection,
  signedPlaintext,
  startTallyWorld,
  tallyEvents,
  type TallyWorld,
  type TestElection,
} from './fixture.ts';
import { ballotStreamPrefix } from '../../src/domain/streams.ts';

const now = () => new Date();

describe('tally run', () => {
  let world: TallyWorld;
  let election: TestElection;
  const expected = new Map<string, { status: VoteCounted['data']['status']; choice: string | null; commitment: string | null }>();
  let lateBallot = '';

  beforeAll(async () => {
    world = await startTallyWorld();
    election = await openElection(world, ['Yes', 'No', 'Blank']);
    const creds = await mintCredentials(world.store, election.electionId, 14);
    const c = (i: number) => creds[i] as (typeof creds)[number];
    const cast = async (i: number, plaintext: Uint8Array, status: VoteCounted['data']['status'], choice: string | null, commitment: string | null) => {
      const ciphertext = encryptFor(election, plaintext);
      const { ballotHash } = await castBallot(world.store, election.electionId, c(i).n1, ciphertext);
      expected.set(ballotHash, { status, choice, commitment });
      return ciphertext;
    };
    const signed = (i: number, choice: string, over: Partial<Parameters<typeof signedPlaintext>[1]> = {}) =>
      signedPlaintext(election, { choice, n2Commitment: commitmentOf(c(i)), ...over });
    // Three valid votes.
    const first = await cast(0, signed(0, 'Yes'), 'VALID', 'Yes', commitmentOf(c(0)));
    await cast(1, signed(1, 'Yes'), 'VALID', 'Yes', commitmentOf(c(1)));
    await cast(2, signed(2, 'No'), 'VALID', 'No', commitmentOf(c(2)));
    // Signed with another election's authority key.
    const otherAuthority = generateRsaKeyPair(2048).privateKey;
    await cast(3, signed(3, 'No', { signer: otherAuthority }), 'INVALID_SIGNATURE', 'No', commitmentOf(c(3)));
    // A forged signature (random bytes).
    await cast(4, signed(4, 'Yes', { forgeSignature: true }), 'INVALID_SIGNATURE', 'Yes', commitmentOf(c(4)));
    // A signed ballot committing to an N2 no letter holds: no membership check, it counts (the signature bounds the ballots).
    const stray = n2Commitment(newToken(), newN2Salt());
    await cast(5, signed(5, 'Yes', { n2Commitment: stray }), 'VALID', 'Yes', stray);
    // Two N1s, one signed ballot: the first counts, the re-encrypted copy is a duplicate.
    const shared = signed(6, 'Blank');
    await cast(6, shared, 'VALID', 'Blank', commitmentOf(c(6)));
    await cast(7, shared, 'DUPLICATE_N2', 'Blank', commitmentOf(c(6)));
    // A choice that is not on the ballot.
    await cast(8, signed(8, 'Maybe'), 'INVALID_CHOICE', 'Maybe', commitmentOf(c(8)));
    // A signed message whose commitment is N2 itself (malformed): not a ballot message, N2 not published.
    await cast(12, signed(12, 'No', { n2Commitment: c(12).n2 }), 'UNDECRYPTABLE', 'No', null);
    // The first ballot's ciphertext, byte for byte, under another N1: left out as a repeat.
    await castBallot(world.store, election.electionId, c(13).n1, first);
    // Random bytes as ciphertext (well-formed base64url, not a ballot).
    {
      const junk = toBase64url(new Uint8Array(Buffer.from(generateRsaKeyPair(2048).publicKey.export({ format: 'der', type: 'spki' }))));
      const { ballotHash } = await castBallot(world.store, election.electionId, c(9).n1, junk);
      expected.set(ballotHash, { status: 'UNDECRYPTABLE', choice: null, commitment: null });
    }
    // A valid ciphertext layout with a random body: r is still revealed, the GCM tag fails.
    {
      const real = fromBase64url(encryptFor(election, signed(10, 'Yes'))) as Uint8Array;
      real[real.length - 1] = (real[real.length - 1] as number) ^ 1;
      const { ballotHash } = await castBallot(world.store, election.electionId, c(10).n1, toBase64url(real));
      expected.set(ballotHash, { status: 'UNDECRYPTABLE', choice: null, commitment: null });
    }
    await endElection(world, election.electionId);
    // A cast that raced the close: after VotingEnded in the log, so not covered.
    lateBallot = (await castBallot(world.store, election.electionId, c(11).n1, encryptFor(election, signed(11, 'No')))).ballotHash;
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('is refused before VOTE_ENDED and for an unknown election, writing nothing', async () => {
    const open = await openElection(world, ['A', 'B']);
    const r = await runTally({ store: world.store, keyStore: world.keyStore, claims: world.claims, now }, { electionId: open.electionId, workers: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'WRONG_STATE', details: { current: 'VOTE_STARTED', required: 'VOTE_ENDED' } });
    expect(await tallyEvents(world.store, open.electionId)).toEqual([]);

    const none = await runTally({ store: world.store, keyStore: world.keyStore, claims: world.claims, now }, { electionId: 'no-such-election', workers: 1 });
    expect(none.ok ? 'ok' : none.error.code).toBe('ELECTION_NOT_FOUND');
  });

  it('counts every covered ballot with the right status, reveals r, and publishes counts equal to the VoteCounted events', async () => {
    const progress: TallyProgress[] = [];
    const r = await runTally(
      { store: world.store, keyStore: world.keyStore, claims: world.claims, now, log: silentLogger },
      { electionId: election.electionId, workers: 2, appendBatch: 4, chunk: 3, onProgress: (p) => progress.push(p) },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.excluded).toEqual({ afterEnd: 1, repeats: 1 });

    const events = await tallyEvents(world.store, election.electionId);
    expect(events[0]?.type).toBe('TallyStarted');
    expect((events[0]?.data as { ballots: number }).ballots).toBe(expected.size);
    const votes = events.filter((e) => e.type === 'VoteCounted').map((e) => e.data as VoteCounted['data']);
    expect(events.at(-1)?.type).toBe('TallyPublished');
    expect(events.filter((e) => e.type === 'TallyPublished')).toHaveLength(1);

    // One VoteCounted per covered ballot, none for the late one, each with the expected status.
    expect(votes).toHaveLength(expected.size);
    expect(new Set(votes.map((v) => v.ballotHash)).size).toBe(expected.size);
    expect(votes.some((v) => v.ballotHash === lateBallot)).toBe(false);
    const byHash = new Map(votes.map((v) => [v.ballotHash, v]));
    for (const [ballotHash, want] of expected) {
      const got = byHash.get(ballotHash);
      expect(got, ballotHash).toBeDefined();
      expect({ status: got?.status, choice: got?.choice, n2Commitment: got?.n2Commitment }).toEqual({
        status: want.status,
        choice: want.choice,
        n2Commitment: want.commitment,
      });
    }

    // Verifiable decryption: anyone with r and the public key opens each decryptable ballot.
    const casts = await world.store.readAll({ limit: 100_000, filter: { eventTypes: ['BallotCast'], streamPrefixes: [ballotStreamPrefix(election.electionId)] } });
    const ciphertextOf = new Map(casts.map((e) => [(e.data as { ballotHash: string }).ballotHash, (e.data as { ciphertext: string }).ciphertext]));
    let opened = 0;
    for (const v of votes) {
      if (v.revealedR === null) continue;
      const r = fromBase64url(v.revealedR) as Uint8Array;
      const d = decryptWithRevealedR(election.ballotPublicKey, r, ciphertextOf.get(v.ballotHash) as string, election.electionId);
      if (v.status === 'UNDECRYPTABLE' && v.choice === null) {
        // r^e = c0 holds (r is the right one), yet the ballot does not open: provably undecryptable.
        expect(d.ok ? 'opened' : d.error.code).toBe('DECRYPTION_FAILED');
        continue;
      }
      // Every other ballot opens with r, including the one whose message is not a ballot message.
      expect(d.ok).toBe(true);
      if (!d.ok) continue;
      const message = ballotMessageOf((decodeBallotPlaintext(d.value.plaintext) as { ok: true; value: { preparedMessage: Uint8Array } }).value.preparedMessage);
      expect(message.ok && message.value.choice).toBe(v.choice);
      opened++;
    }
    expect(opened).toBe(votes.filter((v) => v.status !== 'UNDECRYPTABLE' || v.choice !== null).length);
    expect(votes.filter((v) => v.status === 'UNDECRYPTABLE' && v.revealedR !== null)).toHaveLength(2); // the tampered tag, the malformed commitment

    // TallyPublished equals a recount of the VoteCounted events.
    const published = events.at(-1)?.data as TallyPublished['data'];
    const recount: Record<string, number> = { Yes: 0, No: 0, Blank: 0 };
    for (const v of votes) if (v.status === 'VALID') recount[v.choice as string] = (recount[v.choice as string] ?? 0) + 1;
    expect(published.counts).toEqual(recount);
    expect(published.counts).toEqual({ Yes: 3, No: 1, Blank: 1 });
    expect(published.statuses).toEqual({ VALID: 5, INVALID_SIGNATURE: 2, DUPLICATE_N2: 1, INVALID_CHOICE: 1, UNDECRYPTABLE: 3 });
    expect(published.ballots).toBe(expected.size);
    expect(r.value.counts).toEqual(published.counts);

    // Progress climbed to the total.
    expect(progress.at(-1)).toMatchObject({ done: expected.size, total: expected.size });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));

    // Running again returns the published tally and appends nothing.
    const again = await runTally({ store: world.store, keyStore: world.keyStore, claims: world.claims, now }, { electionId: election.electionId, workers: 1 });
    expect(again.ok && again.value.counts).toEqual(published.counts);
    expect(await tallyEvents(world.store, election.electionId)).toHaveLength(events.length);
  });

  it('projects counted votes, results and receipts by N2 commitment', async () => {
    const runner = createProjectionRunner({ store: world.store, sql: world.sql, projections: [tallyProjection()], log: silentLogger, waitPollMs: 10 });
    await runner.start();
    try {
      await runner.waitFor(await world.store.headPosition());
      const queries = createTallyQueries(world.sql);
      const results = await queries.results(election.electionId);
      expect(results).toMatchObject({ counts: { Yes: 3, No: 1, Blank: 1 }, ballots: expected.size, counted: expected.size, published: true });
      expect(results.statuses.UNDECRYPTABLE).toBe(3);
      for (const [ballotHash, want] of expected) {
        if (!want.commitment || want.status === 'DUPLICATE_N2') continue;
        const receipt = await queries.receiptByCommitment(election.electionId, want.commitment);
        expect(receipt).toMatchObject({ ballotHash, status: want.status, choice: want.choice });
      }
      // The shared commitment: the first ballot counts, the later one is reported as a duplicate.
      const duplicated = [...expected.values()].find((w) => w.status === 'DUPLICATE_N2');
      expect(await queries.receiptByCommitment(election.electionId, duplicated?.commitment as string)).toMatchObject({ status: 'VALID', duplicates: 1 });
      expect(await queries.receiptByCommitment(election.electionId, n2Commitment(newToken(), newN2Salt()))).toBeUndefined();
      expect(await queries.receiptByCommitment(election.electionId, 'not-a-commitment')).toBeUndefined();
    } finally {
      await runner.stop();
    }
  });
});

describe('tally workers and concurrent runs', () => {
  let a: TallyWorld;
  let b: TallyWorld;
  let election: TestElection;
  const BALLOTS = 120;

  beforeAll(async () => {
    a = await startTallyWorld();
    b = await startTallyWorld();
    election = await openElection(a, ['Red', 'Green', 'Blue']);
    const creds = await mintCredentials(a.store, election.electionId, BALLOTS);
    for (const [i, cred] of creds.entries()) {
      // Every 10th ballot reuses the commitment of the ballot before it (a duplicate), every 15th is unsigned junk.
      const commitment = commitmentOf(i % 10 === 9 ? (creds[i - 1] as typeof cred) : cred);
      const plaintext = signedPlaintext(election, { choice: ['Red', 'Green', 'Blue'][i % 3] as string, n2Commitment: commitment, fast: true, forgeSignature: i % 15 === 14 });
      await castBallot(a.store, election.electionId, cred.n1, encryptFor(election, plaintext));
    }
    await endElection(a, election.electionId);
    await cloneWorld(a, b, election.electionId);
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const strip = (events: { type: string; data: unknown }[]) =>
    events.map((e) => (e.type === 'VoteCounted' ? e.data : e.type === 'TallyPublished' ? { ...(e.data as object), publishedAt: 'x' } : e.type));

  it('gives the same VoteCounted events and TallyPublished with 1 worker and with 2', async () => {
    const one = await runTally({ store: a.store, keyStore: a.keyStore, claims: a.claims, now }, { electionId: election.electionId, workers: 1, appendBatch: 50 });
    const two = await runTally({ store: b.store, keyStore: b.keyStore, claims: b.claims, now }, { electionId: election.electionId, workers: 2, appendBatch: 7, chunk: 5 });
    expect(one.ok && two.ok).toBe(true);
    const eventsA = (await tallyEvents(a.store, election.electionId)).slice(1);
    const eventsB = (await tallyEvents(b.store, election.electionId)).slice(1);
    expect(strip(eventsB)).toEqual(strip(eventsA));
    expect(eventsA).toHaveLength(BALLOTS + 1);
    const statuses = (eventsA.at(-1)?.data as TallyPublished['data']).statuses;
    expect(statuses.DUPLICATE_N2).toBeGreaterThan(0);
    expect(statuses.INVALID_SIGNATURE).toBeGreaterThan(0);
  });

  it('two concurrent runs on one election count each ballot exactly once and publish once', async () => {
    const d = await startTallyWorld();
    try {
      await cloneWorld(a, d, election.electionId, { withoutTally: true });
      const deps = { store: d.store, keyStore: d.keyStore, claims: d.claims, now };
      const [r1, r2] = await Promise.all([
        runTally(deps, { electionId: election.electionId, workers: 1, appendBatch: 10, chunk: 10 }),
        runTally(deps, { electionId: election.electionId, workers: 1, appendBatch: 10, chunk: 10 }),
      ]);
      expect(r1.ok && r2.ok).toBe(true);
      expect(r1.ok && r1.value.counts).toEqual(r2.ok && r2.value.counts);
      const events = await tallyEvents(d.store, election.electionId);
      const votes = events.filter((e) => e.type === 'VoteCounted').map((e) => (e.data as VoteCounted['data']).ballotHash);
      expect(votes).toHaveLength(BALLOTS);
      expect(new Set(votes).size).toBe(BALLOTS);
      expect(events.filter((e) => e.type === 'TallyStarted')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'TallyPublished')).toHaveLength(1);
      const reference = (await tallyEvents(a.store, election.electionId)).at(-1)?.data as TallyPublished['data'];
      expect({ ...(events.at(-1)?.data as object), publishedAt: 'x' }).toEqual({ ...reference, publishedAt: 'x' });
    } finally {
      await d.close();
    }
  });
});

