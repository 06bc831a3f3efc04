/**
 * The one place the booth's pages meet its protocol engine (vote-flow.ts, letter-reader.ts,
 * receipt-check.ts): the pages import from here only, so a renamed engine export is fixed here.
 */
import { Connection, EvoteError, gatewayUrl } from '../shared/connection.ts';
import { castVote, loadBoothApp, loadElection, type BoothApp, type BoothElection, type CastVote, type Credential, type Receipt, type VoteStep } from './vote-flow.ts';
import { credentialFromText as readCredentialText, qrImageFromPdf, qrTextFromPixels, type Pixels } from './letter-reader.ts';
import { checkBallotHash, checkReceipt as checkReceiptFile, parseReceiptFile, receiptFileText, type ReceiptCheckResult } from './receipt-check.ts';

export { castVote, loadBoothApp, loadElection, Connection, EvoteError, gatewayUrl, qrImageFromPdf, parseReceiptFile, receiptFileText };
export type { BoothApp, BoothElection, CastVote, Credential, Pixels, Receipt, VoteStep };

/** What /receipt shows: where the ballot is on the board and, after the tally, how it counted. */
export type ReceiptStatus = ReceiptCheckResult;

/** The public part of a receipt (what its QR's link carries). */
export type PublicReceipt = Pick<Receipt, 'electionId' | 'ballotHash'>;
/** A whole receipt (from its file: also checks its signature and fingerprint, and finds the counted choice) or its public part. */
export type ReceiptLookup = Receipt | PublicReceipt;

/** The voter-facing code and its details (retryAfterMs…) of anything thrown by the engine or the connection. */
export function errorCode(err: unknown): { code: string; details?: Record<string, unknown> } {
  if (err instanceof EvoteError) return { code: err.code, details: err.details };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return { code, details: (err as { details?: Record<string, unknown> }).details };
  return { code: 'UNKNOWN' };
}

/** The credential typed or pasted from the letter; throws INVALID_LETTER. */
export function credentialFromText(text: string): Credential {
  return readCredentialText(text);
}

/** The credential in a QR code somewhere in `img`, or null when no QR code is readable there (the camera tries the next frame). */
export function credentialFromPixels(img: Pixels): Credential | null {
  const text = qrTextFromPixels(img);
  return text === null ? null : readCredentialText(text);
}

/** A whole receipt: signature, fingerprint, board and counted choice; the public part: the board alone (ELECTION_NOT_FOUND named). */
export async function checkReceipt(conn: Connection, lookup: ReceiptLookup): Promise<ReceiptStatus> {
  if ('signature' in lookup) return checkReceiptFile(conn, lookup);
  // ELECTION_NOT_FOUND here, rather than a ballot that seems merely not released yet.
  await conn.query('election.get', { electionId: lookup.electionId });
  return checkBallotHash(conn, lookup.electionId, lookup.ballotHash);
}
