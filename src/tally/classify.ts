/**
 * The tally's status rules for one opened ballot, first match wins (docs/tally.md "Statuses"). Only
 * the duplicate rule depends on earlier ballots: feed them in log order with the seen set.
 */
import type { VoteStatus } from '../domain/tally-events.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { isN2Commitment } from '../crypto/canonical.ts';
import { decodeBallot, type BallotForm, type BallotRejection } from '../domain/ballot-form.ts';

/** What a worker learnt from one ciphertext. No secret: r is published by design. */
export type OpenedBallot =
  | {
      kind: 'undecryptable';
      /** r when the KEM step worked but the rest did not (anyone can still check r^e = c0). */
      revealedR: string | null;
      choice: string | null;
      /** Null when unreadable or malformed: only a well-formed commitment is ever reported. */
      n2Commitment: string | null;
    }
  | {
      kind: 'opened';
      revealedR: string;
      choice: string;
      n2Commitment: string;
      signatureValid: boolean;
      /** A weighted election: the weight of the class whose key verified the signature. */
      weight?: number;
    };

export interface ClassifyContext {
  /** Commitments of the earlier VALID and DUPLICATE_N2 ballots. */
  seen: ReadonlySet<string>;
  choices: ReadonlySet<string>;
  /**
   * The election's ballot form and candidates in order, when ElectionCreated fixed a form: the choice
   * is decoded by it and an INVALID_CHOICE says why. Absent: the choice must be a candidate's name,
   * and no reason is given (VoteCounted exactly as before forms).
   */
  ballot?: { form: BallotForm; candidates: readonly string[] } | null;
}

export interface Classified {
  status: VoteStatus;
  /** Only with a ballot form, for INVALID_CHOICE. */
  reason?: BallotRejection;
  revealedR: string | null;
  n2Commitment: string | null;
  choice: string | null;
  marksSeen: boolean;
  /** A weighted election's VALID ballot: its class's weight (VoteCounted records it). */
  weight?: number;
}

export function classifyBallot(ballot: OpenedBallot, ctx: ClassifyContext): Classified {
  const base = { revealedR: ballot.revealedR, n2Commitment: ballot.n2Commitment, choice: ballot.choice };
  const result = (status: VoteStatus): Classified => ({ ...base, status, marksSeen: status === 'VALID' || status === 'DUPLICATE_N2' });
  if (ballot.kind === 'undecryptable') return result('UNDECRYPTABLE');
  if (!ballot.signatureValid) return result('INVALID_SIGNATURE');
  if (ctx.seen.has(ballot.n2Commitment)) return result('DUPLICATE_N2');
  const valid: Classified = { ...result('VALID'), ...(ballot.weight !== undefined && { weight: ballot.weight }) };
  if (ctx.ballot) {
    const decoded = decodeBallot(ctx.ballot.form, ctx.ballot.candidates, ballot.choice);
    return decoded.ok ? valid : { ...result('INVALID_CHOICE'), reason: decoded.reason };
  }
  return ctx.choices.has(ballot.choice) ? valid : result('INVALID_CHOICE');
}

/** The authority's RSA-PSS check of a prepared message (blind-rsa.ts `verify` in Node; the browser's audit has its own). */
export type AuthoritySignatureCheck = (preparedMessage: Uint8Array, signature: Uint8Array) => boolean;
/** A weighted election's check: the weight of the class key that verifies, or null (src/tally/weighted-signature.ts). */
export type WeightedAuthorityCheck = (preparedMessage: Uint8Array, signature: Uint8Array) => number | null;

/**
 * What a decrypted ballot says, read the one way the tally and the auditor (CLI and browser) all use,
 * so they cannot drift. No Node built-in here: the browser's audit imports it.
 */
export function readOpenedBallot(verifyAuthority: AuthoritySignatureCheck | WeightedAuthorityCheck, electionId: string, plaintextBytes: Uint8Array, revealedR: string): OpenedBallot {
  const unreadable = (choice: string | null = null, n2Commitment: string | null = null): OpenedBallot => ({ kind: 'undecryptable', revealedR, choice, n2Commitment });
  const plaintext = decodeBallotPlaintext(plaintextBytes);
  if (!plaintext.ok) return unreadable();
  const message = ballotMessageOf(plaintext.value.preparedMessage);
  if (!message.ok) return unreadable();
  const { choice, n2Commitment } = message.value;
  // A malformed commitment is not a ballot message of this protocol; its text is not published.
  if (!isN2Commitment(n2Commitment)) return unreadable(choice);
  if (message.value.electionId !== electionId) return unreadable(choice, n2Commitment);
  const checked = verifyAuthority(plaintext.value.preparedMessage, plaintext.value.signature);
  if (typeof checked === 'number') return { kind: 'opened', revealedR, choice, n2Commitment, signatureValid: true, weight: checked };
  return { kind: 'opened', revealedR, choice, n2Commitment, signatureValid: checked === true };
}
