/**
 * Checking a receipt from the browser, as src/client/voter.ts `checkReceipt` and `evote receipt` do:
 * the ballot on the public board by its hash, and after the tally, with the receipt's N2 and salt,
 * how it was counted. Plus the receipt file the booth lets the voter download, read strictly.
 */
import { Connection, EvoteError } from '../shared/connection.ts';
import { fromBase64url } from '../../../src/crypto/bytes.ts';
import { n2Commitment } from '../crypto/ballot.ts';
import { electionFingerprint, pinsOf, verifyCastReceipt, type PublishedPins } from '../crypto/election.ts';
import type { Receipt } from './vote-flow.ts';

/** What the receipt page shows. */
export interface ReceiptCheckResult {
  electionId: string;
  ballotHash: string;
  /**
   * Checked with a receipt file: its signature verifies under the election's published log key.
   * null when checked by ballot hash alone.
   */
  signatureValid: boolean | null;
  /** Checked with a receipt file: its fingerprint equals the one computed here from the published keys; else null. */
  fingerprintMatches: boolean | null;
  /** The ballot is on the public board (the pool may release an accepted ballot a little later). */
  onBoard: boolean;
  /** Its log position on the board; null when not on the board. */
  position: number | null;
  /** When the board recorded it (ISO 8601); null when not on the board. */
  submittedAt: string | null;
  /** How the tally counted it (VALID, DUPLICATE_N2, INVALID_SIGNATURE…); null until counted. */
  status: string | null;
  /** The choice it counted as: only with the receipt's N2 and salt, after the tally; else null. */
  choice: string | null;
  /** Later ballots counted with the same N2 commitment (should be 0); null unless found by N2 and salt. */
  duplicates: number | null;
}

const notFound = (err: unknown) => err instanceof EvoteError && err.code === 'BALLOT_NOT_FOUND';

interface BoardEntry {
  ballotHash: string;
  position: number;
  submittedAt: string;
  status: string | null;
}

async function boardEntry(conn: Connection, electionId: string, ballotHash: string): Promise<BoardEntry | undefined> {
  try {
    return await conn.query<BoardEntry>('ballots.receipt', { electionId, ballotHash });
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

/**
 * Looks a ballot up by hash alone (what anybody can check): on the board or not, its position, and
 * its status once counted. Throws EvoteError (INVALID_PAYLOAD for a malformed hash, UNREACHABLE…).
 */
export async function checkBallotHash(conn: Connection, electionId: string, ballotHash: string): Promise<ReceiptCheckResult> {
  const entry = await boardEntry(conn, electionId, ballotHash);
  return {
    electionId,
    ballotHash,
    signatureValid: null,
    fingerprintMatches: null,
    onBoard: entry !== undefined,
    position: entry?.position ?? null,
    submittedAt: entry?.submittedAt ?? null,
    status: entry?.status ?? null,
    choice: null,
    duplicates: null,
  };
}

/**
 * Checks a receipt file: its signature and fingerprint against the election's published keys, the
 * ballot on the board by hash, and, with its N2 and salt, the counted ballot and choice once tallied.
 * Throws EvoteError: ELECTION_NOT_FOUND, RECEIPT_MISMATCH (the board counted another ballot under
 * this receipt's N2 and salt), UNREACHABLE, CONNECTION_CLOSED, TIMEOUT.
 */
export async function checkReceipt(conn: Connection, receipt: Receipt): Promise<ReceiptCheckResult> {
  const { electionId, ballotHash } = receipt;
  const row = await conn.query<{ authorityPublicKey?: string; ballotPublicKey?: string; logPublicKey?: string } & PublishedPins>('election.get', { electionId });
  let signatureValid = false;
  let fingerprintMatches = false;
  if (row.authorityPublicKey && row.ballotPublicKey && row.logPublicKey) {
    signatureValid = await verifyCastReceipt(row.logPublicKey, electionId, ballotHash, receipt.signature);
    const fp = await electionFingerprint({ electionId, authorityPublicKey: row.authorityPublicKey, ballotPublicKey: row.ballotPublicKey, logPublicKey: row.logPublicKey, ...pinsOf(row) });
    fingerprintMatches = fp === receipt.fingerprint;
  }
  const result = { ...(await checkBallotHash(conn, electionId, ballotHash)), signatureValid, fingerprintMatches };
  let counted: { ballotHash: string; status: string; choice: string | null; position: number; duplicates: number } | undefined;
  try {
    counted = await conn.query('ballots.receiptByCommitment', { electionId, n2Commitment: await n2Commitment(receipt.n2, receipt.salt) });
  } catch (err) {
    // The same answer for "not counted yet" and "no such commitment": the board says which.
    if (!notFound(err)) throw err;
  }
  if (!counted) return result;
  if (counted.ballotHash !== ballotHash) throw new EvoteError('RECEIPT_MISMATCH', 'the board counted a different ballot for this receipt');
  return { ...result, status: counted.status, choice: counted.choice, duplicates: counted.duplicates, position: result.position ?? counted.position };
}

/** Opens a connection, checks, closes: for a page that keeps no connection. */
export async function checkReceiptAt(url: string, receipt: Receipt, WebSocketImpl?: typeof WebSocket): Promise<ReceiptCheckResult> {
  const conn = await Connection.open(url, WebSocketImpl);
  try {
    return await checkReceipt(conn, receipt);
  } finally {
    conn.close();
  }
}

const FIELDS = ['electionId', 'ballotHash', 'signature', 'n2', 'salt', 'fingerprint'] as const;
const b64Of = (s: unknown, chars: number, bytes: number) => typeof s === 'string' && s.length === chars && fromBase64url(s)?.length === bytes;
const CHECKS: Record<(typeof FIELDS)[number], (v: unknown) => boolean> = {
  electionId: (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v),
  ballotHash: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v),
  signature: (v) => b64Of(v, 86, 64),
  n2: (v) => b64Of(v, 22, 16),
  salt: (v) => b64Of(v, 22, 16),
  fingerprint: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v),
};
/** A receipt file is a few hundred bytes: anything far larger is not one. */
export const MAX_RECEIPT_FILE_CHARS = 4096;

/**
 * Reads a receipt file strictly: a JSON object with exactly the six fields of Receipt, each
 * well-formed. Throws EvoteError('INVALID_RECEIPT') naming the field, never its value.
 */
export function parseReceiptFile(text: string): Receipt {
  const bad = (message: string) => new EvoteError('INVALID_RECEIPT', message);
  if (typeof text !== 'string' || text.length > MAX_RECEIPT_FILE_CHARS) throw bad('this is not a receipt file (too large)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('this is not a receipt file (not JSON)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('this is not a receipt file (not a JSON object)');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!(FIELDS as readonly string[]).includes(key)) throw bad(`the receipt has an unknown field (expected ${FIELDS.join(', ')})`);
  for (const key of FIELDS) {
    if (!(key in record)) throw bad(`the receipt has no ${key}`);
    if (!CHECKS[key](record[key])) throw bad(`the receipt's ${key} is malformed`);
  }
  const r = record as unknown as Receipt;
  return { electionId: r.electionId, ballotHash: r.ballotHash, signature: r.signature, n2: r.n2, salt: r.salt, fingerprint: r.fingerprint };
}

/** The receipt file's text, exactly as `evote vote --receipt` writes it, so `evote receipt --file` reads it too. */
export function receiptFileText(receipt: Receipt): string {
  const { electionId, ballotHash, signature, n2, salt, fingerprint } = receipt;
  return JSON.stringify({ electionId, ballotHash, signature, n2, salt, fingerprint }, null, 2) + '\n';
}
