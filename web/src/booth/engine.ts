/**
 * The one place the booth's pages meet its protocol engine (vote-flow.ts, letter-reader.ts,
 * receipt-check.ts): the pages import from here only, so a renamed engine export is fixed here.
 */
import jsQR from 'jsqr';
import { Connection, EvoteError, gatewayUrl } from '../shared/connection.ts';
import { castVote, loadBoothApp, loadElection, parseCredential, type BoothApp, type BoothElection, type Credential, type Receipt, type VoteStep } from './vote-flow.ts';

export { castVote, loadBoothApp, loadElection, Connection, EvoteError, gatewayUrl };
export type { BoothApp, BoothElection, Credential, Receipt, VoteStep };

/** RGBA pixels, as a canvas's ImageData holds them. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** What /receipt shows: where the ballot is on the board and, after the tally, how it counted. */
export interface ReceiptStatus {
  electionId: string;
  ballotHash: string;
  /** The log position, or null while the pool still holds the ballot. */
  position: number | null;
  status: string | null;
  choice: string | null;
  /** Checked with a receipt file: its signature verifies under the election's log key (null by hash alone). */
  signatureValid: boolean | null;
  /** Checked with a receipt file: its fingerprint is the one computed from the published keys (null by hash alone). */
  fingerprintMatches: boolean | null;
}

/** The voter-facing code and its details (retryAfterMs…) of anything thrown by the engine or the connection. */
export function errorCode(err: unknown): { code: string; details?: Record<string, unknown> } {
  if (err instanceof EvoteError) return { code: err.code, details: err.details };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return { code, details: (err as { details?: Record<string, unknown> }).details };
  return { code: 'UNKNOWN' };
}

/** The credential typed or pasted from the letter; throws INVALID_CREDENTIAL / INVALID_LETTER. */
export function credentialFromText(text: string): Credential {
  return parseCredential(text.trim());
}

/** The credential in a QR code somewhere in `img`, or null when no QR code is readable there. */
export function credentialFromPixels(img: Pixels): Credential | null {
  const qr = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
  if (!qr) return null;
  return credentialFromText(qr.data);
}

/** The letter PDF's QR image as pixels; throws NO_QR when the PDF holds none we can read. */
export async function qrImageFromPdf(_bytes: Uint8Array): Promise<Pixels> {
  throw new EvoteError('NO_QR', 'reading a PDF letter is not available in this booth yet');
}

const HEX64 = /^[0-9a-f]{64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** A receipt file the booth (or `evote vote --receipt`) wrote; throws INVALID_RECEIPT naming the field. */
export function parseReceiptFile(text: string): Receipt {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new EvoteError('INVALID_RECEIPT', 'the receipt file is not JSON');
  }
  if (typeof r !== 'object' || r === null) throw new EvoteError('INVALID_RECEIPT', 'the receipt file is not a JSON object');
  const fields: [keyof Receipt, RegExp][] = [
    ['electionId', /^[A-Za-z0-9_-]{1,64}$/],
    ['ballotHash', HEX64],
    ['signature', B64URL],
    ['n2', B64URL],
    ['salt', B64URL],
    ['fingerprint', HEX64],
  ];
  for (const [f, re] of fields) if (typeof r[f] !== 'string' || !re.test(r[f])) throw new EvoteError('INVALID_RECEIPT', `the receipt's ${f} is missing or malformed`);
  return r as unknown as Receipt;
}

async function n2Commitment(n2: string, salt: string): Promise<string> {
  // canonical JSON (src/crypto/canonical.ts): keys sorted, no spaces.
  const bytes = new TextEncoder().encode(JSON.stringify({ n2, salt, type: 'evote/n2-commitment/v1' }));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The public part of a receipt (what its QR's link carries). */
export type PublicReceipt = Pick<Receipt, 'electionId' | 'ballotHash'>;
/** A whole receipt (from its file: also checks its signature and fingerprint, and finds the counted choice) or its public part. */
export type ReceiptLookup = Receipt | PublicReceipt;

/** The receipt file's text, as `evote vote --receipt` writes it (so `evote receipt --file` reads the booth's). */
export function receiptFileText(receipt: Receipt): string {
  const { electionId, ballotHash, signature, n2, salt, fingerprint } = receipt;
  return JSON.stringify({ electionId, ballotHash, signature, n2, salt, fingerprint }, null, 2) + '\n';
}

/**
 * Looks the ballot up: by N2 and salt when given (after the tally: status and choice), else by
 * ballot hash. BALLOT_NOT_FOUND by hash means the pool still holds it: position null, no error.
 */
export async function checkReceipt(conn: Connection, lookup: ReceiptLookup): Promise<ReceiptStatus> {
  const receipt: Partial<Receipt> & PublicReceipt = lookup;
  const { electionId, ballotHash } = receipt;
  // ELECTION_NOT_FOUND here, rather than a ballot that seems merely not released yet.
  await conn.query('election.get', { electionId });
  if (receipt.n2 && receipt.salt) {
    try {
      const r = await conn.query<{ ballotHash: string; status: string; choice: string | null; position: number }>('ballots.receiptByCommitment', {
        electionId,
        n2Commitment: await n2Commitment(receipt.n2, receipt.salt),
      });
      if (r.ballotHash !== ballotHash) throw new EvoteError('RECEIPT_MISMATCH', 'the counted ballot of this receipt has another hash');
      return { electionId, ballotHash, position: r.position, status: r.status, choice: r.choice, signatureValid: null, fingerprintMatches: null };
    } catch (err) {
      if (errorCode(err).code !== 'BALLOT_NOT_FOUND') throw err;
    }
  }
  try {
    const r = await conn.query<{ position: number; status: string | null }>('ballots.receipt', { electionId, ballotHash });
    return { electionId, ballotHash, position: r.position, status: r.status, choice: null, signatureValid: null, fingerprintMatches: null };
  } catch (err) {
    if (errorCode(err).code === 'BALLOT_NOT_FOUND') return { electionId, ballotHash, position: null, status: null, choice: null, signatureValid: null, fingerprintMatches: null };
    throw err;
  }
}
