/**
 * The booth's protocol engine, with no UI: read a letter's credential, log in through the three
 * levels on connection A, obtain the blind signature, cast on a fresh connection B with no token,
 * check the receipt (docs/protocol.md steps 3-5). Mirrors src/client/voter.ts over WebCrypto.
 */
import { Connection, EvoteError } from '../shared/connection.ts';
import { fromBase64url, toBase64url } from '../../../src/crypto/bytes.ts';
import { WebCryptoError } from '../crypto/webcrypto.ts';
import { importRsaPublicKey } from '../crypto/rsa.ts';
import { blind, finalize, prepare } from '../crypto/blind-rsa.ts';
import { encodeBallotMessage } from '../../../src/crypto/canonical.ts';
import { ballotHash, encodeBallotPlaintext, encryptBallot, n2Commitment, newN2Salt } from '../crypto/ballot.ts';
import { electionFingerprint, pinsOf, verifyCastReceipt, type PublishedPins } from '../crypto/election.ts';
import { clientMac, generateX25519Pair, level3Proof } from '../crypto/login.ts';
import { parseCredentialUri, type Credential } from '../../../src/credentials/credential-uri.ts';
import type { Receipt } from '../../../src/client/receipt.ts';
import { decodeBallot, SINGLE_FORM, type BallotRules } from '../../../src/domain/ballot-form.ts';
import { publishedClass } from '../../../src/domain/weight-classes.ts';

/** The credential a letter carries (the QR code's `evote:credential?v=1&…` URI). */
export type { Credential } from '../../../src/credentials/credential-uri.ts';
/** The same type as the CLI's, so `evote receipt` reads the booth's file. */
export type { Receipt } from '../../../src/client/receipt.ts';

export { EvoteError } from '../shared/connection.ts';

/** The web booth's voting application (level 2), as the gateway publishes it. */
export interface BoothApp {
  clientId: string;
  clientKey: string;
}

/** The election as the booth shows it before the voter chooses. */
export interface BoothElection {
  electionId: string;
  theme: string;
  choices: string[];
  state: string;
  /** 64 hex digits, computed here from the published keys (compare with the letter's). */
  fingerprint: string;
  /** The ballot's form, method and seats; null: single choice, plurality (elections without a form). */
  ballot: BallotRules | null;
}

/** Whether `choice` is a ballot text this election's tally counts as VALID (docs/methods.md, "Ballot forms"). */
const countable = (choices: readonly string[], ballot: BallotRules | null | undefined, choice: string) => decodeBallot(ballot?.form ?? SINGLE_FORM, choices, choice).ok;

export type VoteStep = 'connecting' | 'level1' | 'level2' | 'level3' | 'logged-in' | 'blinding' | 'signed' | 'encrypting' | 'casting' | 'cast';

/**
 * Parses a credential URI strictly, with the server's own parser (one credential, one spelling);
 * throws EvoteError('INVALID_LETTER') naming the bad field, never its value.
 */
export function parseCredential(uri: string): Credential {
  const parsed = parseCredentialUri(uri);
  if (!parsed.ok) throw new EvoteError('INVALID_LETTER', parsed.error.message);
  return parsed.value;
}

/** What election.get answers (src/projections/read-models.ts ElectionRow), as far as the booth reads it. */
interface ElectionRow {
  electionId: string;
  theme: string;
  choices: string[];
  status: string;
  authorityPublicKey?: string;
  ballotPublicKey?: string;
  logPublicKey?: string;
  trustees?: PublishedPins['trustees'];
  witnesses?: string[];
  ballot?: BallotRules | null;
  weightClasses?: PublishedPins['weightClasses'];
}

interface PublishedElection {
  row: ElectionRow;
  keys: { authorityPublicKey: string; ballotPublicKey: string; logPublicKey: string };
  fingerprint: string;
}

async function fetchElection(conn: Connection, electionId: string): Promise<PublishedElection> {
  const row = await conn.query<ElectionRow>('election.get', { electionId });
  const { authorityPublicKey, ballotPublicKey, logPublicKey } = row;
  if (!authorityPublicKey || !ballotPublicKey || !logPublicKey) throw new EvoteError('ELECTION_KEYS_MISSING', 'the server did not publish the election keys');
  // Computed here from the published keys, never taken from the server.
  const fingerprint = await electionFingerprint({ electionId, authorityPublicKey, ballotPublicKey, logPublicKey, ...pinsOf(row) });
  if (!fingerprint) throw new EvoteError('ELECTION_KEYS_MISSING', 'the published election keys are not well-formed');
  return { row, keys: { authorityPublicKey, ballotPublicKey, logPublicKey }, fingerprint };
}

/**
 * The election (public query `election.get`) with its fingerprint computed locally. Throws
 * EvoteError: ELECTION_NOT_FOUND from the server, ELECTION_KEYS_MISSING when the keys are absent or malformed.
 */
export async function loadElection(conn: Connection, electionId: string): Promise<BoothElection> {
  const { row, fingerprint } = await fetchElection(conn, electionId);
  return { electionId, theme: row.theme, choices: [...row.choices], state: row.status, fingerprint, ballot: row.ballot ?? null };
}

/**
 * The web booth's application id and key (public query `booth.app`; the key is public by design:
 * level 2 proves the application, and this one is served to every browser). Throws EvoteError;
 * BOOTH_APP_INVALID when the reply is not an id and a base64url key.
 */
export async function loadBoothApp(conn: Connection): Promise<BoothApp> {
  const r = await conn.query<{ clientId?: unknown; clientKey?: unknown }>('booth.app');
  if (typeof r?.clientId !== 'string' || r.clientId === '' || typeof r.clientKey !== 'string' || !fromBase64url(r.clientKey)?.length) {
    throw new EvoteError('BOOTH_APP_INVALID', 'the server did not publish a usable voting application');
  }
  return { clientId: r.clientId, clientKey: r.clientKey };
}

export interface VoteInput {
  /** ws(s)://host/ws */
  url: string;
  credential: Credential;
  app: BoothApp;
  election: BoothElection;
  /** The ballot's canonical text (encodeBallot's; a candidate's name for single choice). */
  choice: string;
  onStep?: (step: VoteStep) => void;
  /** For Node tests: a WebSocket constructor other than the global one. */
  WebSocketImpl?: typeof WebSocket;
}

/** A cast vote: the receipt the voter keeps (the file) and, in a weighted election, how many times the vote counts. */
export interface CastVote {
  receipt: Receipt;
  /** The voter's class weight (docs/methods.md "Weighted voters"); null in an unweighted election. */
  weight: number | null;
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** Crypto failures become EvoteErrors with the same code; a refused login on a closed election says so. */
function asEvoteError(err: unknown): unknown {
  if (err instanceof WebCryptoError) return new EvoteError(err.code, err.message);
  // Letters exist only for started elections: "not open" at login or signing means voting has closed.
  if (err instanceof EvoteError && err.code === 'WRONG_STATE') return new EvoteError('VOTING_CLOSED', 'voting is closed for this election', err.details);
  return err;
}

/** Opens a connection; an UNREACHABLE open sent nothing, so it is tried again (twice, after 0.5 s and 1.5 s). */
async function open(url: string, impl: typeof WebSocket | undefined): Promise<Connection> {
  for (const waitMs of [500, 1500]) {
    try {
      return await Connection.open(url, impl);
    } catch (err) {
      if (!(err instanceof EvoteError && err.code === 'UNREACHABLE')) throw err;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
  return Connection.open(url, impl);
}

/**
 * The key to blind under and verify with, as src/client/voter.ts chooses it: the authority key, or in a
 * weighted election the key of the class `ballot.weightClass` names, taken from the fingerprint-checked
 * row (never from the server's answer alone). The server signs with that class's key whatever is asked.
 */
async function signingKey(a: Connection, published: PublishedElection, accessToken: string): Promise<{ authorityPublicKey: string; weight: number | null }> {
  const classes = published.row.weightClasses;
  if (!classes?.length) return { authorityPublicKey: published.keys.authorityPublicKey, weight: null };
  const { weight } = await a.query<{ weight: unknown }>('ballot.weightClass', { electionId: published.row.electionId }, { token: accessToken });
  const found = publishedClass(classes, weight);
  if (!found) throw new EvoteError('WEIGHT_CLASS_UNKNOWN', `the server names weight class ${String(weight)}, which the election did not publish`);
  return found;
}

/**
 * Votes once, in exactly the steps of src/client/voter.ts `vote()`: on connection A, the three-level
 * login, a fresh `election.get` (its fingerprint must equal `election.fingerprint`, the one the voter
 * was shown), the blind signature, logout; then on a fresh connection B with no token, `ballot.cast`;
 * then the acknowledged hash must be the local one (RECEIPT_MISMATCH) and the receipt signed by the
 * election's log key (RECEIPT_UNSIGNED). `onStep` is told each step as it begins ('logged-in',
 * 'signed' and 'cast' as they complete).
 *
 * Throws EvoteError with the server's code (INVALID_CREDENTIALS, ALREADY_SIGNED, ALREADY_CAST,
 * RATE_LIMITED…), VOTING_CLOSED, or this side's: WRONG_ELECTION (letter of another election than
 * `election`), INVALID_CHOICE, ELECTION_CHANGED (keys differ from those shown), ELECTION_KEYS_MISSING,
 * WEIGHT_CLASS_UNKNOWN (the server names a weight class the election did not publish),
 * INVALID_SIGNATURE (the authority's signature does not verify), INVALID_KEY, UNSUPPORTED_BROWSER,
 * UNREACHABLE, CONNECTION_CLOSED, TIMEOUT. Never retried silently after the cast was sent: on
 * CONNECTION_CLOSED during 'casting' the ballot may have landed (a new attempt answers ALREADY_CAST).
 */
export async function castVote(input: VoteInput): Promise<CastVote> {
  const { credential: cred, choice, app, onStep } = input;
  const step = (s: VoteStep) => {
    try {
      onStep?.(s);
    } catch {
      /* progress is advisory: a UI bug must not abort a vote half-way */
    }
  };
  if (cred.electionId !== input.election.electionId) {
    throw new EvoteError('WRONG_ELECTION', 'this letter is for another election than the one shown');
  }
  if (!countable(input.election.choices, input.election.ballot, choice)) throw new EvoteError('INVALID_CHOICE', 'the choice is not one of this election’s choices');
  const salt = newN2Salt();
  let finished: { ciphertext: string; ballotHash: string };
  let logPublicKey: string;
  let fingerprint: string;
  let weight: number | null;
  try {
    step('connecting');
    const a = await open(input.url, input.WebSocketImpl);
    try {
      step('level1');
      const own = await generateX25519Pair();
      const mac = await clientMac(app.clientKey, cred.voterId);
      const challenge = await a.command<{ serverPublicKey: string; nonce: string; sessionId: string }>('auth.begin', {
        electionId: cred.electionId,
        voterId: cred.voterId,
        secretCode: cred.secretCode,
        clientId: app.clientId,
        mac,
        clientPublicKey: toBase64url(own.publicKey),
      });
      step('level2');
      const proof = await level3Proof(own, challenge, cred.voterId, app.clientId);
      step('level3');
      const tokens = await a.command<TokenPair>('auth.level3.prove', { sessionId: challenge.sessionId, proof });
      step('logged-in');

      const published = await fetchElection(a, cred.electionId);
      if (!countable(published.row.choices, published.row.ballot, choice)) throw new EvoteError('INVALID_CHOICE', 'the choice is not one of this election’s choices');
      if (published.fingerprint !== input.election.fingerprint) {
        throw new EvoteError('ELECTION_CHANGED', 'the election keys differ from those shown before the choice: reload the election');
      }
      logPublicKey = published.keys.logPublicKey;
      fingerprint = published.fingerprint;
      const signer = await signingKey(a, published, tokens.accessToken);
      weight = signer.weight;

      step('blinding');
      const authority = await importRsaPublicKey(signer.authorityPublicKey, "authority's public key");
      const counter = await importRsaPublicKey(published.keys.ballotPublicKey, "counter's public key");
      const commitment = await n2Commitment(cred.n2, salt);
      const prepared = prepare(encodeBallotMessage({ electionId: cred.electionId, choice, n2Commitment: commitment }));
      const blinded = await blind(authority, prepared);
      const { blindSignature } = await a.command<{ blindSignature: string }>(
        'ballot.blindSign',
        { electionId: cred.electionId, blindedMessage: toBase64url(blinded.blindedMessage) },
        { token: tokens.accessToken },
      );
      const blindBytes = fromBase64url(blindSignature);
      if (!blindBytes) throw new EvoteError('INVALID_SIGNATURE', 'the blind signature is not base64url');
      // finalize verifies: a signature the authority got wrong (or forged) is never encrypted and cast.
      const signature = await finalize(authority, prepared, blindBytes, blinded.inv);
      blinded.inv.fill(0);
      step('signed');

      step('encrypting');
      const bytes = await encryptBallot(counter, cred.electionId, encodeBallotPlaintext({ preparedMessage: prepared, signature }));
      finished = { ciphertext: toBase64url(bytes), ballotHash: await ballotHash(bytes) };
      // The session has served its purpose; logging out revokes the refresh token.
      await a.command('auth.logout', { refreshToken: tokens.refreshToken }, { token: tokens.accessToken }).catch(() => undefined);
    } finally {
      a.close();
    }

    step('casting');
    // A fresh connection that never carried a token: nothing links this cast to the login on A.
    const b = await open(input.url, input.WebSocketImpl);
    let reply: { ballotHash: string; signature: string };
    try {
      reply = await b.command<{ ballotHash: string; signature: string }>('ballot.cast', { electionId: cred.electionId, n1: cred.n1, ciphertext: finished.ciphertext });
    } finally {
      b.close();
    }
    if (reply.ballotHash !== finished.ballotHash) {
      throw new EvoteError('RECEIPT_MISMATCH', 'the server acknowledged a ballot hash that is not the hash of the ballot sent');
    }
    if (!(await verifyCastReceipt(logPublicKey, cred.electionId, reply.ballotHash, reply.signature))) {
      throw new EvoteError('RECEIPT_UNSIGNED', "the server's receipt is not signed by the election's log key");
    }
    step('cast');
    return { receipt: { electionId: cred.electionId, ballotHash: reply.ballotHash, signature: reply.signature, n2: cred.n2, salt, fingerprint }, weight };
  } catch (err) {
    throw asEvoteError(err);
  }
}
