/**
 * The voter's client: read a letter, vote, check a receipt. Every secret stays in this process's
 * memory; only N2 is kept in the receipt, which the check needs.
 */
import { choiceText, type BallotInput } from './ballot-choice.ts';
import { readFile } from 'node:fs/promises';
import { decodeQrPng } from '../credentials/qr.ts';
import { parseCredentialUri, type Credential } from '../credentials/credential-uri.ts';
import { loginVoter, type ClientApp } from './client-login.ts';
import type { ElectionRow } from '../projections/read-models.ts';
import { EvoteConnection, EvoteError, type ConnectOptions } from './connection.ts';
import { finishBallot, prepareBallot, type FinishedBallot, type PreparedBallot } from './voter-ballot.ts';
import { DEFAULT_STEP_RETRY, isDropped, onFreshConnections, type StepRetryOptions } from './retry.ts';
import type { TokenPair } from '../auth/token-service.ts';
import { verifyCastReceipt } from '../crypto/cast-receipt.ts';
import { n2Commitment, newN2Salt } from '../crypto/n2-commitment.ts';
import { fingerprintOf } from './election-fingerprint.ts';
import { publishedClass } from '../domain/weight-classes.ts';
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
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:8080/ws (a load balancer's, with several gateways). */
  url: string;
  credential: Credential;
  /** The voting application's registration (`clients.register`): level 2 of the login. */
  client: ClientApp;
  /** Single choice: one of the election's choices, exactly as published; other forms: the ballot by names (ballot-choice.ts). */
  choice: BallotInput;
  /** Request timeout and the like for every connection. */
  connect?: Omit<ConnectOptions, 'reconnect'>;
  /** Attempts of each stage after a dropped connection (docs/gateway.md, "Clients"); `false`: none. */
  retry?: StepRetryOptions | false;
  /** Told as each step completes (for a CLI's output). */
  onStep?: (step: 'logged-in' | 'signed' | 'cast') => void;
  /** Told before each retry of a stage, with the code that caused it. */
  onRetry?: (info: { stage: 'sign' | 'cast'; attempt: number; code: string }) => void;
}

const codeOf = (err: unknown): string => (err instanceof EvoteError ? err.code : 'UNKNOWN');

interface SignedBallot {
  finished: FinishedBallot;
  logPublicKey: string;
  fingerprint: string;
  salt: string;
}

/**
 * Votes once (docs/protocol.md steps 3-5): login and blind signature on connection A, the cast on a
 * fresh connection B with no token, so the server cannot link voter and ballot. A dropped connection
 * is retried per stage on a new one: the same blinded message (answered with the same signature) and
 * the same ciphertext (a recorded one answers ALREADY_CAST with `sameBallot`).
 */
export async function vote(input: VoteInput): Promise<Receipt> {
  const policy = input.retry === false ? { ...DEFAULT_STEP_RETRY, retries: 0 } : { ...DEFAULT_STEP_RETRY, ...input.retry };
  const signed = await signBallot(input, policy);
  const { credential: cred } = input;
  const reply = await onFreshConnections(
    input.url,
    input.connect,
    policy,
    async (b) => {
      try {
        return await b.request<{ ballotHash: string; signature: string }>('command', 'ballot.cast', { electionId: cred.electionId, n1: cred.n1, ciphertext: signed.finished.ciphertext });
      } catch (err) {
        // Our ciphertext (fresh randomness, known to this device only) is recorded: an earlier attempt landed.
        const d = err instanceof EvoteError && err.code === 'ALREADY_CAST' ? err.details : undefined;
        if (d?.sameBallot === true && typeof d.ballotHash === 'string' && typeof d.signature === 'string') return { ballotHash: d.ballotHash, signature: d.signature };
        throw err;
      }
    },
    { onRetry: (attempt, err) => input.onRetry?.({ stage: 'cast', attempt, code: codeOf(err) }) },
  );
  if (reply.ballotHash !== signed.finished.ballotHash) {
    throw new EvoteError('RECEIPT_MISMATCH', 'the server acknowledged a ballot hash that is not the hash of the ballot sent');
  }
  if (!verifyCastReceipt(signed.logPublicKey, cred.electionId, reply.ballotHash, reply.signature)) {
    throw new EvoteError('RECEIPT_UNSIGNED', "the server's receipt is not signed by the election's log key");
  }
  input.onStep?.('cast');
  return { electionId: cred.electionId, ballotHash: reply.ballotHash, signature: reply.signature, n2: cred.n2, salt: signed.salt, fingerprint: signed.fingerprint };
}

/**
 * Connection A: login, the election's keys, the blind signature. The ballot is prepared once, so a
 * retry resends the same blinded message; a login whose reply was lost is done again from the start
 * (a session is per connection), and the tokens of a finished login are reused on the next connection.
 */
async function signBallot(input: VoteInput, policy: Required<StepRetryOptions>): Promise<SignedBallot> {
  const { credential: cred, choice } = input;
  const salt = newN2Salt();
  let tokens: TokenPair | undefined;
  let prepared: { ballot: PreparedBallot; keys: { authorityPublicKey: string; ballotPublicKey: string }; logPublicKey: string; fingerprint: string } | undefined;
  let tokensReused = false;
  const signed = await onFreshConnections(
    input.url,
    input.connect,
    policy,
    async (a) => {
      tokensReused = tokens !== undefined;
      if (!tokens) {
        tokens = await loginVoter(a, cred, input.client);
        input.onStep?.('logged-in');
      }
      prepared ??= await prepareFor(a, cred.electionId, choice, tokens.accessToken);
      const { ballot, keys } = prepared;
      let blindSignature: string;
      try {
        ({ blindSignature } = await a.request<{ blindSignature: string }>('command', 'ballot.blindSign', { electionId: cred.electionId, blindedMessage: ballot.blindedMessage }, { token: tokens.accessToken }));
      } catch (err) {
        // Tokens from an earlier connection may have expired meanwhile: log in again on the next attempt.
        if (tokensReused && err instanceof EvoteError && err.code === 'UNAUTHENTICATED') tokens = undefined;
        throw err;
      }
      const finished = finishBallot({ ...ballot, blindSignature, ...keys, electionId: cred.electionId });
      input.onStep?.('signed');
      // The session has served its purpose; logging out revokes the refresh token.
      await a.request('command', 'auth.logout', { refreshToken: tokens.refreshToken }, { token: tokens.accessToken }).catch(() => undefined);
      return finished;
    },
    {
      retryable: (err) => isDropped(err) || (err instanceof EvoteError && err.code === 'UNAUTHENTICATED' && tokens === undefined && tokensReused),
      onRetry: (attempt, err) => input.onRetry?.({ stage: 'sign', attempt, code: codeOf(err) }),
    },
  );
  return { finished: signed, logPublicKey: prepared!.logPublicKey, fingerprint: prepared!.fingerprint, salt };

  async function prepareFor(a: EvoteConnection, electionId: string, input: BallotInput, accessToken: string) {
    const election = await a.request<ElectionRow>('query', 'election.get', { electionId });
    const choiceName = choiceText(election, input);
    if (!election.authorityPublicKey || !election.ballotPublicKey || !election.logPublicKey) {
      throw new EvoteError('ELECTION_KEYS_MISSING', 'the server did not publish the election keys');
    }
    const fingerprint = fingerprintOf({ ...election, electionId });
    if (!fingerprint) throw new EvoteError('ELECTION_KEYS_MISSING', 'the published election keys are not well-formed');
    const keys = { authorityPublicKey: await classKeyOf(a, election, accessToken), ballotPublicKey: election.ballotPublicKey };
    const ballot = prepareBallot({ electionId, choice: choiceName, n2Commitment: n2Commitment(cred.n2, salt), authorityPublicKey: keys.authorityPublicKey });
    return { ballot, keys, logPublicKey: election.logPublicKey, fingerprint };
  }
}

/**
 * The key to blind under: the election's authority key, or in a weighted election the key of the
 * voter's class, taken from the published classes the fingerprint covers (never from the server's answer alone).
 */
async function classKeyOf(a: EvoteConnection, election: ElectionRow, accessToken: string): Promise<string> {
  const classes = election.weightClasses;
  if (!classes || classes.length === 0) return election.authorityPublicKey as string;
  const { weight } = await a.request<{ weight: number | null }>('query', 'ballot.weightClass', { electionId: election.electionId }, { token: accessToken });
  const found = publishedClass(classes, weight);
  if (!found) throw new EvoteError('WEIGHT_CLASS_UNKNOWN', `the server names weight class ${String(weight)}, which the election did not publish`);
  return found.authorityPublicKey;
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
  const conn = await EvoteConnection.connect(input.url, { reconnect: true, retry: true, ...input.connect });
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
