/**
 * `evote trustee decrypt` as a library: opens the trustee's share with its passphrase, fetches the
 * covered ballots' c0, computes the partial decryptions on this machine's worker threads, and sends
 * them in signed batches. The share never leaves this process.
 */
import { bytesToBigInt, fromBase64url } from '../crypto/bytes.ts';
import { encodeShare, parseThresholdParams, type PartialDecryption } from '../crypto/threshold-rsa.ts';
import { createPartialDecryptionPool } from '../tally/trustee-pool.ts';
import { partialToText } from '../tally/partial-text.ts';
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
  /** Partials per submitted batch (default 50). */
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

export async function decryptAsTrustee(o: TrusteeDecryptOptions): Promise<{ ballots: number; stored: number; batches: number; decryptSeconds: number }> {
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
    const page = await o.conn.request<Page>('query', 'tally.trusteeBallots', { electionId: o.electionId, ...(after !== undefined && { after }) });
    ballots.push(...page.ballots);
    o.onProgress?.({ phase: 'fetch', done: ballots.length, total: ballots.length });
    if (page.next === null) break;
    after = page.next;
  }
  checkServedBallots(ballots, audited);

  const batchSize = Math.max(1, o.batchSize ?? 50);
  const pool = await createPartialDecryptionPool({ threads: o.threads });
  let stored = 0;
  let batches = 0;
  const t0 = performance.now();
  try {
    const c0s = ballots.map((b) => bytesToBigInt(fromBase64url(b.c0) ?? new Uint8Array()));
    const decrypted = await pool.decryptAll(params.value, share.value, c0s, (done) => o.onProgress?.({ phase: 'decrypt', done, total: ballots.length }));
    if (!decrypted.ok) throw new TrusteeDecryptError('WRONG_ELECTION', `partial decryption failed: ${decrypted.error.message}`);
    const partials = decrypted.value;
    const decryptSeconds = (performance.now() - t0) / 1000;
    for (let i = 0; i < ballots.length; i += batchSize) {
      const batch = ballots.slice(i, i + batchSize).map((b, j) => ({ ballotHash: b.ballotHash, partial: partialToText(params.value, partials[i + j] as PartialDecryption) }));
      const number = i / batchSize;
      const signature = signAsTrustee(identity, partialsBatchText(o.electionId, o.shareFile.index, number, batch));
      const r = await o.conn.request<{ stored: number }>('command', 'tally.submitPartials', { electionId: o.electionId, trusteeIndex: o.shareFile.index, batch: number, partials: batch, signature });
      stored += r.stored;
      batches++;
      o.onProgress?.({ phase: 'submit', done: Math.min(ballots.length, i + batchSize), total: ballots.length });
    }
    return { ballots: ballots.length, stored, batches, decryptSeconds };
  } finally {
    await pool.close();
  }
}
