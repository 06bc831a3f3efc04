/**
 * The booth's protocol engine, with no UI: read a letter's credential, log in through the three
 * levels on connection A, obtain the blind signature, cast on a fresh connection B with no token,
 * check the receipt (docs/protocol.md steps 3-5). Mirrors src/client/voter.ts over WebCrypto.
 * STUB: interface fixed for the UI; implementation pending.
 */
import type { Connection } from '../shared/connection.ts';

/** The credential a letter carries (the QR code's `evote:credential?v=1&…` URI). */
export interface Credential {
  electionId: string;
  voterId: string;
  secretCode: string;
  n1: string;
  n2: string;
}

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
}

/** Same fields and meaning as src/client/voter.ts Receipt, so `evote receipt` reads the booth's file. */
export interface Receipt {
  electionId: string;
  ballotHash: string;
  signature: string;
  n2: string;
  salt: string;
  fingerprint: string;
}

export type VoteStep = 'connecting' | 'level1' | 'level2' | 'level3' | 'logged-in' | 'blinding' | 'signed' | 'encrypting' | 'casting' | 'cast';

/** Parses a credential URI strictly; throws EvoteError('INVALID_LETTER') naming the bad field, never its value. */
export function parseCredential(_uri: string): Credential {
  throw new Error('not implemented');
}

/** The election (public query) with its fingerprint computed locally; throws EvoteError. */
export async function loadElection(_conn: Connection, _electionId: string): Promise<BoothElection> {
  throw new Error('not implemented');
}

/** The web booth's application id and key (public; see docs/web.md). */
export async function loadBoothApp(_conn: Connection): Promise<BoothApp> {
  throw new Error('not implemented');
}

export interface VoteInput {
  /** ws(s)://host/ws */
  url: string;
  credential: Credential;
  app: BoothApp;
  election: BoothElection;
  choice: string;
  onStep?: (step: VoteStep) => void;
  /** For Node tests: a WebSocket constructor other than the global one. */
  WebSocketImpl?: typeof WebSocket;
}

/** Votes once; throws EvoteError with the server's code (ALREADY_SIGNED, ALREADY_CAST, VOTING_CLOSED…). */
export async function castVote(_input: VoteInput): Promise<Receipt> {
  throw new Error('not implemented');
}
