/**
 * A real world for the tally tests: a scratch PostgreSQL database, the SQL event store and key
 * store, and the real election command handlers (which make the election keys). Ballots are built
 * with the real client-side functions (prepare, blind, blindSign with the authority key from the
 * key store, finalize, encodeBallotPlaintext, encrypt to the counter key) and cast as the ballot
 * pool releases them: CredentialSpent on the credential minted with real N1/N2 tokens, BallotCast
 * on a ballot stream of its own.
 */
import { constants, createHash, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore, RecordedEvent } from '../../src/eventstore/port.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import { createSqlRangeClaims } from '../../src/tally/sql-range-claims.ts';
import type { TallyRangeClaims } from '../../src/tally/range-claims.ts';
import { createElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import { privateKeyFromPkcs8 } from '../../src/commands/election-keys.ts';
import type { ElectionCommandHandlers } from '../../src/commands/election-command-handlers.ts';
import type { BallotCast, CredentialMinted, CredentialSpent } from '../../src/domain/credential-events.ts';
import { n2Commitment, newN2Salt } from '../../src/crypto/n2-commitment.ts';
import { hashToken, issueTokens } from '../../src/credentials/tokens.ts';
import { rsaPublicKeyOf } from '../../src/crypto/rsa.ts';
import { blind, blindSign, finalize, prepare, RSABSSA_SALT_BYTES } from '../../src/crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../../src/crypto/canonical.ts';
import { encodeBallotPlaintext } from '../../src/crypto/ballot-plaintext.ts';
import { encryptBallotToText } from '../../src/crypto/ballot-encryption.ts';
import { fromBase64url, toHex } from '../../src/crypto/bytes.ts';
import { ballotStreamId, credentialStreamId, tallyStreamId } from '../../src/domain/streams.ts';

export interface TallyWorld {
  databaseUrl: string;
  /** base64 of the key store's master key (a child process opens the same key store with it). */
  masterKey: string;
  sql: SqlClient;
  store: EventStore;
  keyStore: KeyStore;
  /** The shared tally's range claims in the same database. */
  claims: TallyRangeClaims;
  commands: ElectionCommandHandlers;
  close(): Promise<void>;
}

export async function startTallyWorld(): Promise<TallyWorld> {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  const store = await createSqlEventStore(sql);
  const masterKey = randomBytes(32);
  const keyStore = await createSqlKeyStore(sql, masterKey);
  const commands = createElectionCommandHandlers(store, { now: () => new Date(), newId: () => randomUUID(), keyStore });
  return {
    databaseUrl: db.url,
    masterKey: masterKey.toString('base64'),
    sql,
    store,
    keyStore,
    claims: createSqlRangeClaims(sql),
    commands,
    async close() {
      await store.close();
      await sql.close();
      await db.drop();
    },
  };
}

export function ok<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export interface TestElection {
  electionId: string;
  choices: string[];
  authorityPrivateKey: KeyObject;
  authorityPublicKey: KeyObject;
  ballotPublicKey: KeyObject;
}

/** Created, one voter registered, voting started: all through the real election command handlers. */
export async function openElection(world: TallyWorld, choices = ['Yes', 'No', 'Blank']): Promise<TestElection> {
  const { electionId } = ok(await world.commands.createElection({ theme: 'Tally test', choices, expectedVoters: 100_000 }));
  ok(await world.commands.registerVoter({ electionId, email: 'voter@example.org' }));
  ok(await world.commands.startVoting({ electionId }));
  const authority = await world.keyStore.get(keyNames.authority(electionId));
  const counter = await world.keyStore.get(keyNames.counter(electionId));
  if (!authority || !counter) throw new Error('election keys missing from the key store');
  const authorityPrivateKey = privateKeyFromPkcs8(authority);
  return {
    electionId,
    choices,
    authorityPrivateKey,
    authorityPublicKey: rsaPublicKeyOf(authorityPrivateKey),
    ballotPublicKey: rsaPublicKeyOf(privateKeyFromPkcs8(counter)),
  };
}

export async function endElection(world: TallyWorld, electionId: string): Promise<void> {
  ok(await world.commands.endVoting({ electionId }));
}

export interface Credential {
  n1: string;
  n2: string;
  /** The salt the voter's device would make (here one per credential, so a test can recompute the commitment). */
  salt: string;
}

/** The commitment a ballot of this credential carries, and its receipt is looked up by. */
export const commitmentOf = (credential: Credential) => n2Commitment(credential.n2, credential.salt);

/** Mints `count` credentials (CredentialMinted at revision 0 of credential-{eid}-{hash(N1)}). */
export async function mintCredentials(store: EventStore, electionId: string, count: number): Promise<Credential[]> {
  const tokens = Array.from({ length: count }, () => ({ ...issueTokens(), salt: newN2Salt() }));
  for (let i = 0; i < tokens.length; i += 1000) {
    await store.appendMany(
      tokens.slice(i, i + 1000).map(({ n1, n2 }) => {
        const hashN1 = hashToken(n1) as string;
        const minted: CredentialMinted = { type: 'CredentialMinted', data: { electionId, hashN1, hashN2: hashToken(n2) as string } };
        return { streamId: credentialStreamId(electionId, hashN1), events: [minted], expectedRevision: 'no_stream' as const };
      }),
    );
  }
  return tokens;
}

export interface BallotSpec {
  choice: string;
  /** The message's N2 commitment text: commitmentOf(credential), or anything for a malformed ballot. */
  n2Commitment: string;
  /** The election id inside the signed message (default: the election's). */
  messageElectionId?: string;
  /** Sign with this authority key instead of the election's (e.g. another election's). */
  signer?: KeyObject;
  /** Replace the signature with random bytes of the right length. */
  forgeSignature?: boolean;
  /**
   * Sign the prepared message directly with RSASSA-PSS (the same signature the blind protocol
   * yields, without the client's bigint blinding): for large ballot sets only.
   */
  fast?: boolean;
}

/** The ballot plaintext a voter client encrypts: prepared message and the unblinded signature. */
export function signedPlaintext(election: TestElection, spec: BallotSpec): Uint8Array {
  const message = encodeBallotMessage({ electionId: spec.messageElectionId ?? election.electionId, choice: spec.choice, n2Commitment: spec.n2Commitment });
  const prepared = prepare(message);
  const signerKey = spec.signer ?? election.authorityPrivateKey;
  let signature: Uint8Array;
  if (spec.fast) {
    signature = new Uint8Array(sign('sha384', prepared, { key: signerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSABSSA_SALT_BYTES }));
  } else {
    const publicKey = rsaPublicKeyOf(signerKey);
    const blinded = ok(blind(publicKey, prepared));
    const blindSignature = ok(blindSign(signerKey, blinded.blindedMessage));
    signature = ok(finalize(publicKey, prepared, blindSignature, blinded.inv));
  }
  if (spec.forgeSignature) signature = new Uint8Array(randomBytes(signature.length));
  return encodeBallotPlaintext({ preparedMessage: prepared, signature });
}

export function encryptFor(election: TestElection, plaintext: Uint8Array): string {
  return encryptBallotToText(election.ballotPublicKey, election.electionId, plaintext);
}

export const ballotHashOf = (ciphertext: string) => toHex(createHash('sha256').update(fromBase64url(ciphertext) ?? Buffer.from(ciphertext)).digest());

/**
 * Spends the credential (revision 1) and appends BallotCast to a new ballot stream, as the ballot
 * pool releases them (here at once, unmixed: the tally reads only the ballot streams).
 */
export async function castBallot(store: EventStore, electionId: string, n1: string, ciphertext: string): Promise<{ ballotHash: string; position: number }> {
  const hashN1 = hashToken(n1) as string;
  const ballotHash = ballotHashOf(ciphertext);
  const spent: CredentialSpent = { type: 'CredentialSpent', data: { electionId, hashN1 } };
  await store.append(credentialStreamId(electionId, hashN1), [spent], { expectedRevision: 0 });
  const cast: BallotCast = { type: 'BallotCast', data: { electionId, ballotHash, ciphertext } };
  const r = await store.append(ballotStreamId(electionId, randomUUID()), [cast], { expectedRevision: 'no_stream' });
  return { ballotHash, position: r.position };
}

/** Every event of the tally stream. */
export async function tallyEvents(store: EventStore, electionId: string): Promise<RecordedEvent[]> {
  return store.readStream(tallyStreamId(electionId), { limit: 10_000_000 });
}

/**
 * Copies the whole log of `from` into the (empty) store of `to`, in log order, and the election's
 * counter key into its key store: the same election and ballots, to tally twice independently.
 */
export async function cloneWorld(
  from: Pick<TallyWorld, 'store' | 'keyStore'>,
  to: Pick<TallyWorld, 'store' | 'keyStore'>,
  electionId: string,
  opts: { withoutTally?: boolean } = {},
): Promise<void> {
  let after = 0;
  for (;;) {
    const read = await from.store.readAll({ fromPosition: after, limit: 2_000 });
    if (read.length === 0) break;
    const page = opts.withoutTally ? read.filter((e) => e.streamId !== tallyStreamId(electionId)) : read;
    // Consecutive events of one stream go in one append; the order across streams is kept.
    let i = 0;
    while (i < page.length) {
      const first = page[i] as RecordedEvent;
      let j = i + 1;
      while (j < page.length && (page[j] as RecordedEvent).streamId === first.streamId) j++;
      await to.store.append(
        first.streamId,
        page.slice(i, j).map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision: first.revision === 0 ? 'no_stream' : first.revision - 1 },
      );
      i = j;
    }
    after = (read.at(-1) as RecordedEvent).position;
  }
  for (const name of [keyNames.counter(electionId), keyNames.authority(electionId)]) {
    const secret = await from.keyStore.get(name);
    if (secret) await to.keyStore.put(name, secret);
  }
}
