/**
 * What a trustee checks before decrypting anything (docs/trustees.md, "What a trustee checks"): the
 * election's log, fetched from the gateway and verified by the auditor library (live, under the
 * pinned fingerprint when given), names the transcript the server serves, and holds every ballot the
 * server asks to decrypt, cast before VotingEnded. k trustees are a decryption oracle for any c0:
 * this is what stops a server from using them as one.
 */
import { createHash } from 'node:crypto';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-ciphertext.ts';
import { canonicalJson } from '../crypto/canonical.ts';
import { ndjsonLineBatches } from '../audit/ndjson-lines.ts';
import { verifyLog } from '../audit/verify.ts';
import { ballotStreamPrefix, electionStreamId } from '../domain/streams.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import { fetchLog } from './auditor.ts';

/** A trustee's refusal, with a stable code: nothing was decrypted or sent. */
export class TrusteeDecryptError extends Error {
  constructor(
    readonly code: 'WRONG_PASSPHRASE' | 'WRONG_ELECTION' | 'LOG_NOT_VERIFIED' | 'TRANSCRIPT_MISMATCH' | 'BALLOT_NOT_ON_LOG',
    message: string,
  ) {
    super(message);
  }
}

export interface AuditedBallots {
  /** ballotHash → base64url c0 of every ballot cast before VotingEnded. */
  c0ByHash: Map<string, string>;
  /** What TrusteesAppointed holds. */
  transcript: Partial<TrusteeTranscript>;
}

/** The public transcript fields a trustee compares (not the server's bookkeeping: electionId, appointedAt). */
export function transcriptCore(t: Partial<TrusteeTranscript>): string {
  try {
    return canonicalJson([t.version, t.ballotPublicKey, t.threshold, t.params, t.trustees, t.createdAt]);
  } catch {
    return 'not a transcript';
  }
}

export async function auditedBallots(wsUrl: string, electionId: string, fingerprint?: string): Promise<AuditedBallots> {
  const lines: string[] = [];
  for await (const batch of ndjsonLineBatches(await fetchLog(wsUrl, electionId))) lines.push(...batch);
  const report = await verifyLog(lines, { live: true, ...(fingerprint !== undefined && { fingerprint }) });
  if (report.verdict === 'FAILED' || report.verdict === 'INCOMPLETE') {
    throw new TrusteeDecryptError('LOG_NOT_VERIFIED', `the election's log does not verify (${report.verdict}: ${report.failures[0]?.check ?? report.gaps[0]?.check ?? '-'})`);
  }
  const electionStream = electionStreamId(electionId);
  const prefix = ballotStreamPrefix(electionId);
  const c0ByHash = new Map<string, string>();
  let transcript: AuditedBallots['transcript'] | undefined;
  let ended = false;
  for (const text of lines) {
    const e = JSON.parse(text) as { streamId?: string; type?: string; data?: Record<string, unknown> };
    if (e.streamId === electionStream && e.type === 'TrusteesAppointed') transcript = e.data as unknown as AuditedBallots['transcript'];
    if (e.streamId === electionStream && e.type === 'VotingEnded') ended = true;
    if (ended || e.type !== 'BallotCast' || !e.streamId?.startsWith(prefix) || typeof e.data?.ciphertext !== 'string') continue;
    const decoded = decodeBallotCiphertext(e.data.ciphertext);
    const bytes = fromBase64url(e.data.ciphertext);
    if (decoded.ok && bytes) c0ByHash.set(createHash('sha256').update(bytes).digest('hex'), toBase64url(decoded.value.c0));
  }
  if (!ended) throw new TrusteeDecryptError('LOG_NOT_VERIFIED', 'voting has not ended on the log: there is nothing to decrypt yet');
  if (!transcript) throw new TrusteeDecryptError('TRANSCRIPT_MISMATCH', 'the log names no trustees for this election');
  return { c0ByHash, transcript };
}

/**
 * Throws BALLOT_NOT_ON_LOG for the first served ballot that is not a ballot of the audited log.
 * Served may be a subset of the log's ballots (a re-run is served only those still missing its
 * partial): a server that withholds some only leaves them without this trustee's partial.
 */
export function checkServedBallots(served: readonly { ballotHash: string; c0: string }[], audited: AuditedBallots): void {
  for (const b of served) {
    if (audited.c0ByHash.get(b.ballotHash) !== b.c0) throw new TrusteeDecryptError('BALLOT_NOT_ON_LOG', `ballot ${b.ballotHash} is not a ballot cast before the close on this election's log: nothing was decrypted`);
  }
}
