/**
 * Credential issuance (docs/credentials.md "Credential issuance"): batches, deliver-then-append,
 * mints shuffled and padded with decoys. The voter → credential link lives only in a batch's memory.
 */
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { EventStore, AppendRequest, ExpectedRevision } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import { READ_PAGE } from './command-handler.ts';
import type { Result } from '../domain/errors.ts';
import { electionDecider } from '../domain/election.ts';
import type { VoterRegistered } from '../domain/election-events.ts';
import type { CredentialMinted } from '../domain/credential-events.ts';
import type { DeliveryChannel, VoterEvent } from '../domain/voter-events.ts';
import { domainError, type DomainError } from '../domain/errors.ts';
import { keyNames, type KeyStore } from '../keystore/port.ts';
import { decryptEmail, loadPiiKey } from '../keystore/pii.ts';
import { issueSecretCode } from '../credentials/secret-code.ts';
import { hashToken, issueTokens } from '../credentials/tokens.ts';
import { secureRandom, type RandomBytes } from '../credentials/random.ts';
import { formatCredentialUri } from '../credentials/credential-uri.ts';
import { createQrRenderPool, inlineQrRenderer, type QrRenderer } from '../credentials/qr-render-pool.ts';
import { openLettersPdf, writeLetters, type LettersPdf } from '../credentials/letter.ts';
import { electionFingerprint } from '../crypto/election-fingerprint.ts';
import { shuffle } from '../crypto/shuffle.ts';
import { createSmtpMailer, type Mailer, type MailerOptions } from '../credentials/mailer.ts';
import { credentialStreamId, electionStreamId, voterStreamId, voterStreamPrefix } from '../domain/streams.ts';
import type { BallotPool } from './ballot-pool.ts';

export const DEFAULT_ISSUANCE_BATCH_SIZE = 500;
export const DEFAULT_DELIVERY_CONCURRENCY = 32;
export const DEFAULT_MIN_ANONYMITY_SET = 100;
/** From this many letters on, QR PNGs are rendered on worker threads (starting them costs a few hundred ms). */
export const QR_POOL_THRESHOLD = 200;

export interface IssueCredentialsInput {
  electionId: string;
  channel: DeliveryChannel;
  /** Postal channel: the folder the letters are written to (required for 'letter'). */
  outDir?: string;
  /** Postal channel: where to write, besides, one PDF holding every letter of the run (none when absent). */
  printDir?: string;
}

export interface IssuanceProgress {
  done: number;
  /** Voters this run set out to serve (registered and not yet served). */
  total: number;
  failed: number;
}

export interface ResendCredentialInput extends IssueCredentialsInput {
  voterId: string;
}

export interface IssuanceSummary {
  total: number;
  issued: number;
  failed: number;
  alreadyIssued: number;
  /** Credentials minted by this run, decoys included. */
  minted: number;
  position: number;
  /** Postal channel: the run's letters in one PDF (a page each) in `printDir`, when any was written. */
  lettersPdf?: { file: string; pages: number };
}

export interface CredentialIssuerDeps {
  store: EventStore;
  keyStore: KeyStore;
  now: () => Date;
  smtpUrl?: string;
  mailerOptions?: MailerOptions;
  /** Default: createSmtpMailer(smtpUrl, mailerOptions). */
  createMailer?: () => Mailer;
  batchSize?: number;
  /** Letters rendered and delivered at once within a batch (default 32). */
  concurrency?: number;
  /** Minimum credentials minted per batch, decoys filling the gap (default 100; 0 disables). */
  minAnonymitySet?: number;
  random?: RandomBytes;
  /** Needed by `resend`: its signature check and key replacement run under the election's pool lock. */
  pool?: Pick<BallotPool, 'exclusive'>;
}

export interface CredentialIssuer {
  issue(input: IssueCredentialsInput, onProgress?: (p: IssuanceProgress) => void): Promise<Result<IssuanceSummary>>;
  /**
   * Reissues one voter's credential (docs/web.md, "Resending a letter"): a fresh letter minted like
   * any other, whose secret code replaces the old one; refused once the voter holds a blind signature.
   */
  resend(input: ResendCredentialInput): Promise<Result<IssuanceSummary>>;
}

interface RegisteredVoter {
  voterId: string;
  emailEncrypted: string;
}

interface ElectionForIssuance {
  theme: string;
  fingerprint: string;
  voters: RegisteredVoter[];
}

/** One voter's credential during its batch. Never leaves this module, never logged. */
interface PreparedLetter {
  voter: RegisteredVoter;
  stored: Uint8Array;
  n1: string;
  n2: string;
  uri: string;
}

type Delivery = { ok: true } | { ok: false; attempts: number; reason: string };

const fail = (error: DomainError): Result<never> => ({ ok: false, error });

async function loadElection(store: EventStore, electionId: string): Promise<ElectionForIssuance | DomainError> {
  let state = electionDecider.initialState;
  const voters: RegisteredVoter[] = [];
  const streamId = electionStreamId(electionId);
  for (let from = 0; ; ) {
    const page = await store.readStream(streamId, { fromRevision: from, limit: READ_PAGE });
    for (const e of page) {
      state = electionDecider.evolve(state, { type: e.type, data: e.data } as Parameters<typeof electionDecider.evolve>[1]);
      if (e.type === 'VoterRegistered') {
        const d = e.data as VoterRegistered['data'];
        voters.push({ voterId: d.voterId, emailEncrypted: d.emailEncrypted });
      }
    }
    if (page.length < READ_PAGE) break;
    from = (page.at(-1)?.revision ?? from) + 1;
  }
  if (state.status === 'NONE') return domainError('ELECTION_NOT_FOUND', 'no such election', { electionId });
  if (state.status !== 'VOTE_STARTED') {
    return domainError('WRONG_STATE', `credentials are issued in VOTE_STARTED; the election is in ${state.status}`, {
      current: state.status,
      required: 'VOTE_STARTED',
    });
  }
  const fingerprint = state.publicKeys ? electionFingerprint({ electionId, ...state.publicKeys, trustees: state.trustees, witnesses: state.witnesses, ballot: state.ballotRules, weightClasses: state.weightClasses }) : undefined;
  if (!fingerprint?.ok) return domainError('INVALID_ELECTION_KEYS', 'the election has no public keys to print a fingerprint of');
  return { theme: state.theme, fingerprint: fingerprint.value, voters };
}

interface VoterStreamSummary {
  revision: number;
  issued: boolean;
  /** A BlindSignatureIssued is in the log (the pool may hold one too). */
  signed: boolean;
}

async function loadVoterStreams(store: EventStore, electionId: string): Promise<Map<string, VoterStreamSummary>> {
  const streams = new Map<string, VoterStreamSummary>();
  for (let fromPosition = 0; ; ) {
    const page = await store.readAll({ fromPosition, limit: READ_PAGE, filter: { streamPrefixes: [voterStreamPrefix(electionId)] } });
    for (const e of page) {
      const data = e.data as VoterEvent['data'];
      // The prefix `voter-{eid}-` also matches elections whose id extends this one's ("a" and "a-b").
      if (data.electionId !== electionId || e.streamId !== voterStreamId(electionId, data.voterId)) continue;
      const s = streams.get(data.voterId) ?? { revision: -1, issued: false, signed: false };
      streams.set(data.voterId, {
        revision: Math.max(s.revision, e.revision),
        issued: s.issued || e.type === 'CredentialIssued',
        signed: s.signed || e.type === 'BlindSignatureIssued',
      });
    }
    if (page.length < READ_PAGE) break;
    fromPosition = page.at(-1)?.position ?? fromPosition;
  }
  return streams;
}

async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const errorCode = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? code : 'UNKNOWN';
};

export function createCredentialIssuer(deps: CredentialIssuerDeps): CredentialIssuer {
  const batchSize = Math.max(1, Math.floor(deps.batchSize ?? DEFAULT_ISSUANCE_BATCH_SIZE));
  const concurrency = Math.max(1, Math.floor(deps.concurrency ?? DEFAULT_DELIVERY_CONCURRENCY));
  const minAnonymitySet = Math.max(0, Math.floor(deps.minAnonymitySet ?? DEFAULT_MIN_ANONYMITY_SET));
  const random = deps.random ?? secureRandom;
  // Two runs in one process would mail voters twice; across processes, expected revisions refuse the second.
  const running = new Set<string>();

  return {
    issue: (input, onProgress) => exclusively(input, () => run(input, onProgress)),
    resend: (input) => exclusively(input, () => run(input, undefined, input.voterId)),
  };

  async function exclusively(input: IssueCredentialsInput, fn: () => Promise<Result<IssuanceSummary>>): Promise<Result<IssuanceSummary>> {
    const { electionId, channel } = input;
    if (channel === 'email' && !deps.smtpUrl && !deps.createMailer) {
      return fail(domainError('DELIVERY_NOT_CONFIGURED', 'e-mail delivery needs SMTP_URL'));
    }
    if (channel === 'letter' && !input.outDir) return fail(domainError('DELIVERY_NOT_CONFIGURED', 'postal letters need an output folder'));
    if (running.has(electionId)) return fail(domainError('ISSUANCE_IN_PROGRESS', 'credentials are already being issued for this election'));
    running.add(electionId);
    try {
      return await fn();
    } finally {
      running.delete(electionId);
    }
  }

  /** `reissueVoterId`: serve that voter alone, issued before or not (a resend); otherwise every voter not yet served. */
  async function run(input: IssueCredentialsInput, onProgress?: (p: IssuanceProgress) => void, reissueVoterId?: string): Promise<Result<IssuanceSummary>> {
    const { electionId, channel } = input;
    const election = await loadElection(deps.store, electionId);
    if ('kind' in election) return fail(election);
    const streams = await loadVoterStreams(deps.store, electionId);
    let pending: RegisteredVoter[];
    if (reissueVoterId === undefined) pending = election.voters.filter((v) => !streams.get(v.voterId)?.issued);
    else {
      const voter = election.voters.find((v) => v.voterId === reissueVoterId);
      if (!voter) return fail(domainError('VOTER_NOT_FOUND', 'no voter with this id is registered in the election', { electionId, voterId: reissueVoterId }));
      if (!deps.pool) throw new Error('credential resend needs the ballot pool');
      // Checked again under the pool's lock before anything is kept: this one only spares a useless letter.
      if (streams.get(reissueVoterId)?.signed || (await deps.pool.exclusive(electionId, [voterStreamId(electionId, reissueVoterId)], async (held) => isSignature(held.values().next().value)))) {
        return fail(alreadySigned());
      }
      pending = [voter];
    }
    const summary: IssuanceSummary = {
      total: pending.length,
      issued: 0,
      failed: 0,
      alreadyIssued: reissueVoterId === undefined ? election.voters.length - pending.length : 0,
      minted: 0,
      position: 0,
    };
    const report = () => {
      try {
        onProgress?.({ done: summary.issued + summary.failed, total: summary.total, failed: summary.failed });
      } catch {
        /* progress is advisory: a closed socket must not abort the run */
      }
    };
    report();
    if (pending.length === 0) return { ok: true, value: summary };

    const piiKey = channel === 'email' ? await loadPiiKey(deps.keyStore, electionId) : undefined;
    const mailer = channel === 'email' ? (deps.createMailer?.() ?? createSmtpMailer(deps.smtpUrl as string, deps.mailerOptions)) : undefined;
    const renderer: QrRenderer = mailer && pending.length >= QR_POOL_THRESHOLD ? createQrRenderPool() : inlineQrRenderer;
    let lettersPdf: LettersPdf | undefined;
    if (channel === 'letter') {
      await mkdir(input.outDir as string, { recursive: true, mode: 0o700 });
      if (input.printDir) {
        await mkdir(input.printDir, { recursive: true, mode: 0o700 });
        lettersPdf = await openLettersPdf(path.join(input.printDir, lettersPdfName(deps.now())));
      }
    }

    const deliver = async (p: PreparedLetter): Promise<Delivery> => {
      if (mailer) {
        const to = piiKey ? decryptEmail(piiKey, electionId, p.voter.emailEncrypted) : undefined;
        if (!to) return { ok: false, attempts: 0, reason: 'EMAIL_UNAVAILABLE' };
        const qrPng = await renderer.render(p.uri);
        const r = await mailer.sendLetter({ to, electionTheme: election.theme, fingerprint: election.fingerprint, voterId: p.voter.voterId, n1: p.n1, n2: p.n2, uri: p.uri, qrPng });
        return r.ok ? { ok: true } : { ok: false, attempts: r.attempts, reason: r.reason };
      }
      try {
        const letter = { electionTheme: election.theme, electionId, fingerprint: election.fingerprint, voterId: p.voter.voterId, n1: p.n1, n2: p.n2, uri: p.uri };
        await writeLetters(input.outDir as string, [letter]);
        await lettersPdf?.add(letter);
        return { ok: true };
      } catch (err) {
        return { ok: false, attempts: 1, reason: `WRITE_FAILED (${errorCode(err)})` };
      }
    };

    /** Key store, then one append; secrets zeroed whatever happens. A conflict is a value, anything else throws. */
    const persist = async (prepared: PreparedLetter[], outcomes: Delivery[]): Promise<DomainError | undefined> => {
      if (reissueVoterId === undefined) return persistBatch(prepared, outcomes);
      const failed = outcomes.find((o): o is Extract<Delivery, { ok: false }> => !o.ok);
      if (failed) {
        for (const p of prepared) p.stored.fill(0);
        // Nothing is recorded: the voter's previous letter, if any, still works.
        return domainError('DELIVERY_FAILED', "the new letter could not be delivered; the voter's previous letter, if any, still works", { reason: failed.reason, attempts: failed.attempts });
      }
      const streamId = voterStreamId(electionId, reissueVoterId);
      // Under the lock no blind signature is admitted: either one is already in the log or the pool and
      // the resend is refused, or the old secret code is replaced before the next admission is decided.
      return deps.pool!.exclusive(electionId, [streamId], async (held) => {
        const history = await deps.store.readStream(streamId);
        if (history.some(isSignature) || isSignature(held.get(streamId))) {
          for (const p of prepared) p.stored.fill(0);
          return alreadySigned();
        }
        streams.set(reissueVoterId, { revision: history.at(-1)?.revision ?? -1, issued: true, signed: false });
        return persistBatch(prepared, outcomes);
      });
    };

    const persistBatch = async (prepared: PreparedLetter[], outcomes: Delivery[]): Promise<DomainError | undefined> => {
      const delivered = prepared.filter((_, k) => outcomes[k]?.ok);
      try {
        if (delivered.length > 0) {
          await deps.keyStore.putMany(delivered.map((p) => ({ name: keyNames.credential(electionId, p.voter.voterId), secret: p.stored })));
        }
        const at = deps.now().toISOString();
        const mints = delivered.map((p) => mintData(electionId, p.n1, p.n2));
        const floor = Math.min(minAnonymitySet, election.voters.length);
        if (mints.length > 0) while (mints.length < floor) mints.push(decoyMint(electionId, random));
        // Shuffled over the OS CSPRNG: the mint order must carry no information about the voters.
        shuffle(mints);
        const mintRequests: AppendRequest[] = mints.map((data) => ({
          streamId: credentialStreamId(electionId, data.hashN1),
          events: [{ type: 'CredentialMinted', data }],
          expectedRevision: 'no_stream',
        }));
        const requests: AppendRequest[] = [];
        prepared.forEach((p, k) => {
          const outcome = outcomes[k] as Delivery;
          const voterId = p.voter.voterId;
          const revision = streams.get(voterId)?.revision ?? -1;
          const expectedRevision: ExpectedRevision = revision < 0 ? 'no_stream' : revision;
          const event: VoterEvent = outcome.ok
            ? { type: 'CredentialIssued', data: { electionId, voterId, channel, issuedAt: at } }
            : { type: 'CredentialDeliveryFailed', data: { electionId, voterId, channel, attempts: outcome.attempts, reason: outcome.reason, failedAt: at } };
          requests.push({ streamId: voterStreamId(electionId, voterId), events: [event], expectedRevision });
        });
        // Voters first, mints last: on EventStoreDB appendMany is sequential, and a crash in between must
        // leave served voters unminted, never minted credentials a re-run would serve again.
        requests.push(...mintRequests);
        const results = await deps.store.appendMany(requests);
        summary.position = Math.max(summary.position, ...results.map((r) => r.position));
        summary.minted += mints.length;
        summary.issued += delivered.length;
        summary.failed += prepared.length - delivered.length;
        report();
        return undefined;
      } catch (err) {
        if (!isWrongExpectedRevision(err)) throw err;
        // Another process served some of these voters: the letters just delivered hold unminted N1s (harmless).
        return domainError('CONCURRENCY_CONFLICT', 'another issuance served some of these voters at the same time; run credentials.issue again', {
          issued: summary.issued,
          failed: summary.failed,
        });
      } finally {
        for (const p of prepared) p.stored.fill(0);
      }
    };

    // Near-equal batches: a batch is its credentials' anonymity set, so no small last one.
    const size = Math.ceil(pending.length / Math.ceil(pending.length / batchSize));
    // One batch is persisted while the next is delivered; each only after its own letters, in order.
    // A refused persist voids the batch delivered meanwhile too; a re-run serves those voters.
    let persisting: Promise<DomainError | undefined> = Promise.resolve(undefined);
    try {
      for (let i = 0; i < pending.length; i += size) {
        const batch = pending.slice(i, i + size);
        const prepared = batch.map((voter): PreparedLetter => {
          const code = issueSecretCode(random);
          const { n1, n2 } = issueTokens(random);
          const uri = formatCredentialUri({ electionId, voterId: voter.voterId, secretCode: code.secretCode, n1, n2 });
          return { voter, stored: code.stored, n1, n2, uri };
        });
        const forget = () => {
          for (const p of prepared) p.stored.fill(0);
        };
        let outcomes: Delivery[];
        try {
          outcomes = await mapConcurrent(prepared, concurrency, deliver);
          const refusal = await persisting;
          if (refusal) {
            forget();
            return fail(refusal);
          }
        } catch (err) {
          forget();
          throw err;
        }
        persisting = persist(prepared, outcomes);
        persisting.catch(() => {});
      }
      const refusal = await persisting;
      if (refusal) return fail(refusal);
      return { ok: true, value: summary };
    } finally {
      // A batch still being persisted when an error ends the run: let it finish (and zero its secrets).
      await persisting.catch(() => undefined);
      mailer?.close();
      await renderer.close();
      if (lettersPdf) {
        const pages = await lettersPdf.close().catch(async (err: unknown) => {
          await lettersPdf?.discard();
          throw err;
        });
        if (pages > 0) summary.lettersPdf = { file: path.basename(lettersPdf.path), pages };
        else await lettersPdf.discard();
      }
    }
  }
}

const isSignature = (e: { type: string } | undefined) => e?.type === 'BlindSignatureIssued';

const alreadySigned = () =>
  domainError('ALREADY_SIGNED', 'this voter already obtained a blind signature: a new letter could not give them a second vote, and none is sent');

/** letters-<UTC time>-<random>.pdf: unique per run, and a name the HTTP route accepts. */
function lettersPdfName(now: Date): string {
  return `letters-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}.pdf`;
}

function mintData(electionId: string, n1: string, n2: string): CredentialMinted['data'] {
  return { electionId, hashN1: hashToken(n1) as string, hashN2: hashToken(n2) as string };
}

/** A credential nobody holds: its tokens are hashed and forgotten on the spot. */
function decoyMint(electionId: string, random: RandomBytes): CredentialMinted['data'] {
  const { n1, n2 } = issueTokens(random);
  return mintData(electionId, n1, n2);
}
