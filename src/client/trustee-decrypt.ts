/**
 * `evote trustee decrypt` as a library: opens the trustee's share with its passphrase, fetches the
 * c0 of the covered ballots it has no stored partial for yet, computes the partial decryptions on
 * this machine's worker threads with one proof per batch, and sends them in signed batches. The
 * share never leaves this process.
 */
import { bytesToBigInt, fromBase64url } from '../crypto/bytes.ts';
import { encodeShare, parseThresholdParams } from '../crypto/threshold-rsa.ts';
import type { BatchPartials } from '../crypto/threshold-rsa-batch.ts';
import { createPartialDecryptionPool } from '../tally/trustee-pool.ts';
import { partialValueToText, proofToText } from '../tally/partial-text.ts';
import { MAX_PARTIALS_BATCH } from '../tally/trustee-submissions.ts';
import { decryptShare } from '../crypto/share-protection.ts';
import { partialsBatchText, type TrusteeTranscript } from '../domain/trustees.ts';
import type { EvoteConnection } from './connection.ts';
import { shareCommitmentOf, type ShareFile } from './trustee-ceremony.ts';
import { checkTranscriptKeys } from '../commands/trustee-transcript.ts';
import { signAsTrustee, trusteeIdentityOf } from './trustee-identity.ts';
import { auditedBallots, checkServedBallots, transcriptCore, TrusteeDecryptError } from './trustee-log-check.ts';

export interface TrusteeDecryptOptions {
  conn: EvoteConnection;
  electionId: string;
  shareFile: ShareFile;
  passphrase: string;
  threads?: number;
  /** Partials per submitted batch, each batch with one proof (default and at most 64). */
  batchSize?: number;
  onProgress?: (p: { phase: 'fetch' | 'decrypt' | 'submit'; done: number; total: number }) => void;
  /** The trustee's own copy of the ceremony's transcript: the election's must be this one. */
  transcript?: TrusteeTranscript;
  /** The election fingerprint (from a letter or the officials): the log audited before decrypting must give it. */
  fingerprint?: string;
}

export { TrusteeDecryptError } from './trustee-log-check.ts';

interface Page {
  ballots: { position: number; ballotHash: string; c0: string }[];
  next: number | null;
}

export interface TrusteeDecryptResult {
  /** Ballots decrypted by this run (0 when every covered ballot already has this trustee's partial). */
  ballots: number;
  stored: number;
  batches: number;
  decryptSeconds: number;
  /** Ballots of the audited log not served because this trustee's partial is already stored (a re-run). */
  skipped: number;
}

export async function decryptAsTrustee(o: TrusteeDecryptOptions): Promise<TrusteeDecryptResult> {
  const { transcript } = await o.conn.request<{ transcript: TrusteeTranscript }>('query', 'tally.trustees', { electionId: o.electionId });
  if (o.transcript && transcriptCore(o.transcript) !== transcriptCore(transcript)) throw new TrusteeDecryptError('TRANSCRIPT_MISMATCH', "the election's ballot key, threshold parameters or trustees are not those of this trustee's transcript");
  const audited = await auditedBallots(o.conn.url, o.electionId, o.fingerprint);
  if (transcriptCore(audited.transcript) !== transcriptCore(transcript) || transcriptCore(transcript) === 'not a transcript') throw new TrusteeDecryptError('TRANSCRIPT_MISMATCH', "the transcript the server serves is not the one on the election's log");
  if (checkTranscriptKeys(transcript)) throw new TrusteeDecryptError('WRONG_ELECTION', "the election's threshold parameters are not for its ballot key");
  if (o.shareFile.ballotPublicKey !== transcript.ballotPublicKey) throw new TrusteeDecryptError('WRONG_ELECTION', "this share is not for this election's ballot key");
  const share = await decryptShare(o.shareFile.protectedShare, o.passphrase);
  if (!share.ok) throw new TrusteeDecryptError('WRONG_PASSPHRASE', 'the passphrase does not open this share');
  const params = parseThresholdParams(transcript.params);
  if (!params.ok) throw new TrusteeDecryptError('WRONG_ELECTION', "the election's threshold parameters do not parse");
  const identity = trusteeIdentityOf(JSON.stringify(encodeShare(share.value)));
  const me = transcript.trustees.find((t) => t.index === o.shareFile.index);
  if (!me || me.identityKey !== identity.publicKey || me.shareCommitment !== shareCommitmentOf(o.shareFile.protectedShare)) throw new TrusteeDecryptError('WRONG_ELECTION', "this share is not one of this election's trustees'");

  const ballots: Page['ballots'] = [];
  for (let after: number | undefined; ; ) {
    // Only what this trustee has not stored yet: a re-run decrypts what an interrupted run left.
    const page = await o.conn.request<Page>('query', 'tally.trusteeBallots', { electionId: o.electionId, missingFor: o.shareFile.index, ...(after !== undefined && { after }) });
    ballots.push(...page.ballots);
    o.onProgress?.({ phase: 'fetch', done: ballots.length, total: ballots.length });
    if (page.next === null) break;
    after = page.next;
  }
  checkServedBallots(ballots, audited);
  const skipped = Math.max(0, audited.c0ByHash.size - ballots.length);
  if (ballots.length === 0) return { ballots: 0, stored: 0, batches: 0, decryptSeconds: 0, skipped };

  const batchSize = Math.min(MAX_PARTIALS_BATCH, Math.max(1, Math.floor(o.batchSize ?? MAX_PARTIALS_BATCH)));
  const pool = await createPartialDecryptionPool({ threads: o.threads, batchSize });
  let stored = 0;
  let batches = 0;
  let sent = 0;
  const send = async (number: number, computed: BatchPartials) => {
    const from = number * batchSize;
    const batch = ballots.slice(from, from + computed.xs.length).map((b, j) => ({ ballotHash: b.ballotHash, partial: partialValueToText(params.value, { index: computed.index, x: computed.xs[j] as bigint }) }));
    const proof = proofToText(computed.proof);
    const signature = signAsTrustee(identity, partialsBatchText(o.electionId, o.shareFile.index, number, batch, proof));
    const r = await o.conn.request<{ stored: number }>('command', 'tally.submitPartials', { electionId: o.electionId, trusteeIndex: o.shareFile.index, batch: number, partials: batch, proof, signature });
    stored += r.stored;
    batches++;
    sent += batch.length;
    o.onProgress?.({ phase: 'submit', done: sent, total: ballots.length });
  };
  // Each batch is sent as soon as it is computed, one submission at a time: an interrupted run keeps what it sent.
  let sending = Promise.resolve();
  let refused: unknown;
  const onBatch = (number: number, computed: BatchPartials) => {
    sending = sending.then(() => (refused === undefined ? send(number, computed) : undefined)).catch((err: unknown) => void (refused ??= err));
  };
  const t0 = performance.now();
  try {
    const c0s = ballots.map((b) => bytesToBigInt(fromBase64url(b.c0) ?? new Uint8Array()));
    const decrypted = await pool.decryptAll(params.value, share.value, c0s, (done) => o.onProgress?.({ phase: 'decrypt', done, total: ballots.length }), onBatch);
    if (!decrypted.ok) throw new TrusteeDecryptError('WRONG_ELECTION', `partial decryption failed: ${decrypted.error.message}`);
    const decryptSeconds = (performance.now() - t0) / 1000;
    await sending;
    if (refused !== undefined) throw refused;
    return { ballots: ballots.length, stored, batches, decryptSeconds, skipped };
  } finally {
    await pool.close();
  }
}
