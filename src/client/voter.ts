/**
 * The voter's client: read a letter, vote, check a receipt. Every secret stays in this process's
 * memory; only N2 is kept in the receipt, which the check needs.
 */
import { readFile } from 'node:fs/promises';
import { decodeQrPng } from '../credentials/qr.ts';
import { parseCredentialUri, type Credential } from '../credentials/credential-uri.ts';
import { loginVoter, type ClientApp } from './client-login.ts';
import type { ElectionRow } from '../projections/read-models.ts';
import { EvoteConnection, EvoteError, type ConnectOptions } from './connection.ts';
import { finishBallot, prepareBallot } from './voter-ballot.ts';
import { verifyCastReceipt } from '../crypto/cast-receipt.ts';
import { n2Commitment, newN2Salt } from '../crypto/n2-commitment.ts';
import { fingerprintOf } from './election-fingerprint.ts';
import type { Receipt } from './receipt.ts';

export type { Credential } from '../credentials/credential-uri.ts';
export type { ClientApp } from './client-login.ts';
export type { Receipt } from './receipt.ts';

/** A letter problem (unreadable file, no QR, not a credential): the message never echoes secrets. */
export class LetterError extends Error {
  readonly code = 'INVALID_LETTER' as const;
  constructor(message: string) {
    super(message);
    this.name = 'LetterError';
  }
}

/**
 * The credential in a letter: `input` is the credential URI text (`evote:credential?...`), the
 * letter's QR PNG bytes, or a path to a `.png` (or a text file holding the URI).
 */
export async function readCredentialLetter(input: string | Uint8Array): Promise<Credential> {
  let uri: string;
  if (typeof input !== 'string') uri = qrText(Buffer.from(input));
  else if (input.startsWith('evote:')) uri = input;
  else {
    let bytes: Buffer;
    try {
      bytes = await readFile(input);
    } catch (err) {
      throw new LetterError(`cannot read ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    uri = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? qrText(bytes, input) : bytes.toString('utf8').trim();
  }
  const parsed = parseCredentialUri(uri);
  if (!parsed.ok) throw new LetterError(`not a credential letter: ${parsed.error.message}`);
  return parsed.value;
}

function qrText(png: Buffer, name = 'the image'): string {
  let text: string | undefined;
  try {
    text = decodeQrPng(png);
  } catch {
    text = undefined;
  }
  if (!text) throw new LetterError(`${name} holds no readable QR code`);
  return text;
}

export interface VoteInput {
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:8080/ws. */
  url: string;
  credential: Credential;
  /** The voting application's registration (`clients.register`): level 2 of the login. */
  client: ClientApp;
  /** One of the election's choices, exactly as published. */
  choice: string;
  /** Request timeout and the like for both connections. */
  connect?: Omit<ConnectOptions, 'reconnect'>;
  /** Told as each step completes (for a CLI's output). */
  onStep?: (step: 'logged-in' | 'signed' | 'cast') => void;
}

/**
 * Votes once (docs/protocol.md steps 3-5): login and blind signature on connection A, the cast on a
 * fresh connection B with no token, so the server cannot link voter and ballot. Never retried
 * silently: on CONNECTION_CLOSED call again (a landed cast answers ALREADY_CAST).
 */
export async function vote(input: VoteInput): Promise<Receipt> {
  const { credential: cred, choice } = input;
  const a = await EvoteConnection.connect(input.url, input.connect);
  let finished: ReturnType<typeof finishBallot>;
  let logPublicKey: string;
  let fingerprint: string;
  const salt = newN2Salt();
  try {
    const tokens = await loginVoter(a, cred, input.client);
    input.onStep?.('logged-in');
    const election = await a.request<ElectionRow>('query', 'election.get', { electionId: cred.electionId });
    if (!election.choices.includes(choice)) {
      throw new EvoteError('INVALID_CHOICE', `"${choice}" is not a choice of this election (choices: ${election.choices.join(', ')})`);
    }
    if (!election.authorityPublicKey || !election.ballotPublicKey || !election.logPublicKey) {
      throw new EvoteError('ELECTION_KEYS_MISSING', 'the server did not publish the election keys');
    }
    logPublicKey = election.logPublicKey;
    const fp = fingerprintOf({ ...election, electionId: cred.electionId });
    if (!fp) throw new EvoteError('ELECTION_KEYS_MISSING', 'the published election keys are not well-formed');
    fingerprint = fp;
    const keys = { authorityPublicKey: election.authorityPublicKey, ballotPublicKey: election.ballotPublicKey };
    const ballot = prepareBallot({ electionId: cred.electionId, choice, n2Commitment: n2Commitment(cred.n2, salt), authorityPublicKey: keys.authorityPublicKey });
    const { blindSignature } = await a.request<{ blindSignature: string }>(
      'command',
      'ballot.blindSign',
      { electionId: cred.electionId, blindedMessage: ballot.blindedMessage },
      { token: tokens.accessToken },
    );
    finished = finishBallot({ ...ballot, blindSignature, ...keys, electionId: cred.electionId });
    input.onStep?.('signed');
    // The session has served its purpose; logging out revokes the refresh token.
    await a.request('command', 'auth.logout', { refreshToken: tokens.refreshToken }, { token: tokens.accessToken }).catch(() => undefined);
  } finally {
    await a.close();
  }
  const b = await EvoteConnection.connect(input.url, input.connect);
  try {
    const reply = await b.request<{ ballotHash: string; signature: string }>('command', 'ballot.cast', {
      electionId: cred.electionId,
      n1: cred.n1,
      ciphertext: finished.ciphertext,
    });
    if (reply.ballotHash !== finished.ballotHash) {
      throw new EvoteError('RECEIPT_MISMATCH', 'the server acknowledged a ballot hash that is not the hash of the ballot sent');
    }
    if (!verifyCastReceipt(logPublicKey, cred.electionId, reply.ballotHash, reply.signature)) {
      throw new EvoteError('RECEIPT_UNSIGNED', "the server's receipt is not signed by the election's log key");
    }
    input.onStep?.('cast');
    return { electionId: cred.electionId, ballotHash: reply.ballotHash, signature: reply.signature, n2: cred.n2, salt, fingerprint };
  } finally {
    await b.close();
  }
}

/** What the server says about a ballot. `status` and `choice` are null until the tally counted it. */
export interface ReceiptCheck {
  electionId: string;
  ballotHash: string;
  position: number;
  status: string | null;
  /** Only when checked with the receipt's N2 and salt after the tally (their holder learns their own choice). */
  choice: string | null;
  /** Other ballots counted with the same N2 commitment (should be 0). */
  duplicates?: number;
}

export interface CheckReceiptInput {
  url: string;
  electionId: string;
  /** Find by the receipt's N2 and salt: answers after the tally, with status and choice. */
  receipt?: Pick<Receipt, 'n2' | 'salt'>;
  /** Find by ballot hash: answers once the pool released the ballot. */
  ballotHash?: string;
  connect?: ConnectOptions;
}

/**
 * Looks a ballot up on the public board: with the receipt's N2 and salt (after the tally: status and
 * the counted choice) or by ballot hash (status once counted). Rejects with BALLOT_NOT_FOUND.
 */
export async function checkReceipt(input: CheckReceiptInput): Promise<ReceiptCheck> {
  if (!input.receipt === !input.ballotHash) throw new EvoteError('USAGE', 'give exactly one of receipt or ballotHash');
  const conn = await EvoteConnection.connect(input.url, input.connect);
  try {
    if (input.receipt) {
      const r = await conn.request<{ ballotHash: string; status: string; choice: string | null; position: number; duplicates: number }>('query', 'ballots.receiptByCommitment', {
        electionId: input.electionId,
        n2Commitment: n2Commitment(input.receipt.n2, input.receipt.salt),
      });
      return { electionId: input.electionId, ...r };
    }
    const r = await conn.request<{ ballotHash: string; position: number; status: string | null }>('query', 'ballots.receipt', {
      electionId: input.electionId,
      ballotHash: input.ballotHash,
    });
    return { electionId: input.electionId, ballotHash: r.ballotHash, position: r.position, status: r.status, choice: null };
  } finally {
    await conn.close();
  }
}
