/**
 * A whole election written straight into an event store with the real protocol crypto: RSA keys for
 * the authority and the counter, an Ed25519 log key in the key store, N1/N2 tokens, RFC 9474 blind
 * signatures over N2 commitments, RSA-KEM + AES-GCM ballots, and a tally that decrypts with the
 * private key and reveals r. Each cast is a CredentialSpent on its credential and a BallotCast on a
 * ballot stream of its own; the spends are appended after the ballots, shuffled, as the ballot pool
 * releases them at the close. Some ballots are bad on purpose, one of each status. The statuses
 * are known by construction, not computed by the code under test.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { AppendRequest, EventStore } from '../../src/eventstore/port.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import type { SqlExecutor } from '../../src/sql/client.ts';
import { until } from '../support/system.ts';
import { generateRsaKeyPair, rsaRawPrivate } from '../../src/crypto/rsa.ts';
import { blind, blindSign, finalize, prepare } from '../../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { decryptBallot, encryptBallot } from '../../src/crypto/ballot-encryption.ts';
import { toBase64url } from '../../src/crypto/bytes.ts';
import { hashToken, issueTokens } from '../../src/credentials/tokens.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { logKeyName, rawLogPublicKey } from '../../src/audit/checkpoint.ts';
import { VOTE_STATUSES, type VoteStatus } from '../../src/domain/tally-events.ts';
import { ballotStreamId, credentialStreamId } from '../../src/domain/streams.ts';

export interface FixtureOptions {
  voters: number;
  /** Voters who cast a valid ballot (the first ones). Default: all. */
  voting?: number;
  /** Add one ballot of each bad status. Default true. */
  badBallots?: boolean;
  /** Cast one more (valid) ballot after VotingEnded. Default true. */
  lateBallot?: boolean;
  /** Stop after this phase. */
  until?: 'started' | 'ended' | 'published';
  /** Put the counter's private key in the key store, where a real tally finds it. Default false. */
  counterKeyInStore?: boolean;
  /** Default: a random `audit-…` id. */
  electionId?: string;
  /** Witnesses' vkeys named in ElectionCreated (sorted there). */
  witnesses?: string[];
}

export interface Fixture {
  electionId: string;
  choices: string[];
  counts: Record<string, number>;
  statuses: Record<VoteStatus, number>;
  /** In cast order; `n2Commitment` is '' for the undecryptable one. */
  ballots: { ballotHash: string; n2Commitment: string; status: VoteStatus }[];
}

const at = (s: number) => new Date(Date.UTC(2031, 0, 1, 8, 0, s)).toISOString();
const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export async function writeElection(store: EventStore, keyStore: KeyStore, opts: FixtureOptions): Promise<Fixture> {
  const electionId = opts.electionId ?? `audit-${randomBytes(5).toString('hex')}`;
  const choices = ['yes', 'no', 'blank'];
  const authority = generateRsaKeyPair(2048);
  const counter = generateRsaKeyPair(2048);
  const logKeys = generateKeyPairSync('ed25519');
  await keyStore.put(logKeyName(electionId), new Uint8Array(logKeys.privateKey.export({ format: 'der', type: 'pkcs8' })));
  if (opts.counterKeyInStore) await keyStore.put(keyNames.counter(electionId), new Uint8Array(counter.privateKey.export({ format: 'der', type: 'pkcs8' })));
  const spki = (k: typeof authority.publicKey) => toBase64url(new Uint8Array(k.export({ format: 'der', type: 'spki' })));

  const election = `election-${electionId}`;
  let electionRevision = -1;
  const appendElection = async (events: AppendRequest['events']) => {
    const r = await store.append(election, events, { expectedRevision: electionRevision < 0 ? 'no_stream' : electionRevision });
    electionRevision = r.nextExpectedRevision;
  };

  await appendElection([
    {
      type: 'ElectionCreated',
      data: {
        electionId,
        theme: 'Audit fixture',
        choices,
        expectedVoters: opts.voters,
        createdAt: at(0),
        authorityPublicKey: spki(authority.publicKey),
        ballotPublicKey: spki(counter.publicKey),
        logPublicKey: rawLogPublicKey(logKeys.publicKey),
        ...(opts.witnesses && { witnesses: [...opts.witnesses].sort() }),
      },
    },
  ]);
  const voterIds = Array.from({ length: opts.voters }, (_, i) => `v${String(i).padStart(6, '0')}`);
  for (let i = 0; i < voterIds.length; i += 1000) {
    await appendElection(
      voterIds.slice(i, i + 1000).map((voterId) => ({
        type: 'VoterRegistered',
        data: { electionId, voterId, emailHmac: sha256hex(Buffer.from(`hmac ${voterId}`)), emailEncrypted: toBase64url(randomBytes(40)), registeredAt: at(1) },
      })),
    );
  }
  await appendElection([{ type: 'VotingStarted', data: { electionId, startedAt: at(2), registeredVoters: opts.voters } }]);

  // Credentials: minted in a shuffled batch, delivered per voter (no link between the two).
  const credentials = voterIds.map(() => issueTokens());
  const mintOrder = [...credentials].sort(() => Math.random() - 0.5);
  for (let i = 0; i < mintOrder.length; i += 500) {
    await store.appendMany(
      mintOrder.slice(i, i + 500).map((c) => ({
        streamId: `credential-${electionId}-${hashToken(c.n1)}`,
        expectedRevision: 'no_stream' as const,
        events: [{ type: 'CredentialMinted', data: { electionId, hashN1: hashToken(c.n1), hashN2: hashToken(c.n2) } }],
      })),
    );
  }
  for (let i = 0; i < voterIds.length; i += 500) {
    await store.appendMany(
      voterIds.slice(i, i + 500).map((voterId) => ({
        streamId: `voter-${electionId}-${voterId}`,
        expectedRevision: 'no_stream' as const,
        events: [{ type: 'CredentialIssued', data: { electionId, voterId, channel: 'email', issuedAt: at(3) } }],
      })),
    );
  }

  const counts: Record<string, number> = Object.fromEntries(choices.map((c) => [c, 0]));
  const statuses = Object.fromEntries(VOTE_STATUSES.map((s) => [s, 0])) as Record<VoteStatus, number>;
  const ballots: Fixture['ballots'] = [];
  const casts: AppendRequest[] = [];
  const spends: AppendRequest[] = [];
  const blindSigs: AppendRequest[] = [];
  /** What a voter's device makes: the commitment to its N2 under a fresh salt. */
  const commit = (n2: string) => n2Commitment(n2, newN2Salt());

  /** The voter side: blind, get signed (appending BlindSignatureIssued), unblind, encrypt. */
  const vote = (voterIndex: number, choice: string, commitment: string, tamper?: 'signature' | 'election') => {
    const prepared = prepare(encodeBallotMessage({ electionId: tamper === 'election' ? `${electionId}x` : electionId, choice, n2Commitment: commitment }));
    const b = blind(authority.publicKey, prepared);
    if (!b.ok) throw new Error('blind failed');
    const s = blindSign(authority.privateKey, b.value.blindedMessage);
    if (!s.ok) throw new Error('sign failed');
    const sig = finalize(authority.publicKey, prepared, s.value, b.value.inv);
    if (!sig.ok) throw new Error('finalize failed');
    const voterId = voterIds[voterIndex] as string;
    blindSigs.push({
      streamId: `voter-${electionId}-${voterId}`,
      expectedRevision: 0,
      events: [{ type: 'BlindSignatureIssued', data: { electionId, voterId, blindedMessageHash: sha256hex(b.value.blindedMessage), issuedAt: at(4) } }],
    });
    const signature = tamper === 'signature' ? new Uint8Array(sig.value.length) : sig.value;
    return encryptBallot(counter.publicKey, electionId, encodeBallotPlaintext({ preparedMessage: prepared, signature }));
  };
  const spend = (credential: { n1: string }): AppendRequest => {
    const hashN1 = hashToken(credential.n1) as string;
    return { streamId: credentialStreamId(electionId, hashN1), expectedRevision: 0, events: [{ type: 'CredentialSpent', data: { electionId, hashN1 } }] };
  };
  const ballotCast = (ciphertext: Uint8Array): AppendRequest => ({
    streamId: ballotStreamId(electionId, randomUUID()),
    expectedRevision: 'no_stream',
    events: [{ type: 'BallotCast', data: { electionId, ballotHash: sha256hex(ciphertext), ciphertext: toBase64url(ciphertext) } }],
  });
  const cast = (credential: { n1: string }, ciphertext: Uint8Array, status: VoteStatus, commitment: string) => {
    spends.push(spend(credential));
    casts.push(ballotCast(ciphertext));
    ballots.push({ ballotHash: sha256hex(ciphertext), n2Commitment: commitment, status });
  };

  const voting = opts.voting ?? opts.voters;
  const bad = opts.badBallots ?? true;
  const firstBad = bad ? voting : opts.voters;
  for (let i = 0; i < voting; i++) {
    const choice = choices[i % 2] as string;
    const c = credentials[i]!;
    const commitment = commit(c.n2);
    cast(c, vote(i, choice, commitment), 'VALID', commitment);
  }
  if (bad) {
    if (opts.voters < voting + 4) throw new Error('bad ballots need 4 spare voters');
    const [a, b, d, e] = [0, 1, 2, 3].map((k) => credentials[firstBad + k]!);
    // A signed ballot for a choice that does not exist.
    const ca = commit(a!.n2);
    cast(a!, vote(firstBad, 'maybe', ca), 'INVALID_CHOICE', ca);
    // A ballot with a zeroed signature.
    const cb = commit(b!.n2);
    cast(b!, vote(firstBad + 1, 'yes', cb, 'signature'), 'INVALID_SIGNATURE', cb);
    // A signed ballot carrying the commitment of the first valid ballot (a replayed ballot).
    const reused = ballots[0]!.n2Commitment;
    cast(d!, vote(firstBad + 2, 'no', reused), 'DUPLICATE_N2', reused);
    // Random bytes under a well-formed KEM value: AES-GCM fails, r is still revealed.
    cast(e!, encryptBallot(counter.publicKey, `${electionId}-other`, randomBytes(64)), 'UNDECRYPTABLE', '');
  }
  for (let i = 0; i < blindSigs.length; i += 500) await store.appendMany(blindSigs.slice(i, i + 500));
  // Ballots in cast order (the statuses above depend on it), then the spends in random order.
  const release = [...casts, ...spends.sort(() => Math.random() - 0.5)];
  for (let i = 0; i < release.length; i += 500) await store.appendMany(release.slice(i, i + 500));
  if (opts.until === 'started') return { electionId, choices, counts, statuses, ballots };

  await appendElection([{ type: 'VotingEnded', data: { electionId, endedAt: at(5), reason: 'ADMIN' } }]);
  if ((opts.lateBallot ?? true) && firstBad + (bad ? 4 : 0) < opts.voters) {
    const late = credentials[opts.voters - 1]!;
    await store.appendMany([spend(late), ballotCast(encryptBallot(counter.publicKey, electionId, randomBytes(10)))]);
  }
  if (opts.until === 'ended') return { electionId, choices, counts, statuses, ballots };

  // The counter: decrypts with the private key and reveals r; statuses as constructed above.
  const tally = `tally-${electionId}`;
  await store.append(tally, [{ type: 'TallyStarted', data: { electionId, ballots: ballots.length, startedAt: at(6) } }], { expectedRevision: 'no_stream' });
  const counted = casts.map((req, i) => {
    const data = req.events[0]!.data as { ciphertext: string; ballotHash: string };
    const ballot = ballots[i]!;
    const opened = decryptBallot(counter.privateKey, data.ciphertext, electionId);
    const r = opened.ok ? opened.value.r : undefined;
    statuses[ballot.status]++;
    const readable = ballot.status !== 'UNDECRYPTABLE';
    const choice = !readable ? null : ballot.status === 'INVALID_CHOICE' ? 'maybe' : ballot.status === 'DUPLICATE_N2' ? 'no' : ballot.status === 'INVALID_SIGNATURE' ? 'yes' : choices[i % 2]!;
    if (ballot.status === 'VALID') counts[choice as string]!++;
    let revealedR: string | null = r ? toBase64url(r) : null;
    if (!readable) {
      // AES-GCM failed: reveal r = c0^d anyway, so the failure is checkable.
      const c0 = Buffer.from(data.ciphertext, 'base64url').subarray(3, 3 + 256);
      revealedR = toBase64url(new Uint8Array(rsaRawPrivate(counter.privateKey, c0)));
    }
    return {
      type: 'VoteCounted',
      data: { electionId, ballotHash: data.ballotHash, revealedR, n2Commitment: readable ? ballot.n2Commitment : null, choice, status: ballot.status },
    };
  });
  for (let i = 0; i < counted.length; i += 1000) {
    await store.append(tally, counted.slice(i, i + 1000), { expectedRevision: i });
  }
  await store.append(
    tally,
    [{ type: 'TallyPublished', data: { electionId, counts, statuses, ballots: ballots.length, publishedAt: at(7) } }],
    { expectedRevision: counted.length },
  );
  return { electionId, choices, counts, statuses, ballots };
}


/** Resolves once a running system's transparency log has checkpointed every event of the election. */
export async function untilCheckpointed(sql: SqlExecutor, electionId: string, timeoutMs = 30_000): Promise<void> {
  await until(async () => {
    const { rows } = await sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [electionId]);
    return rows[0] !== undefined && rows[0].size === rows[0].checkpoint_size;
  }, timeoutMs, 'the log to be checkpointed');
}
