/**
 * The tally's rules for one ballot, as a pure function. The worker threads do the expensive,
 * order-independent part (decrypt, decode, verify the authority's signature); this module decides
 * the status from their result and the election's choices. Only the duplicate rule depends on the
 * ballots before it, so the caller feeds ballots in log order and keeps the seen-commitment set.
 *
 * Statuses are decided in this order (the first that applies wins):
 *   UNDECRYPTABLE      decryption or decoding failed, the message names another election, or its
 *                      N2 commitment is not 64 lowercase hex digits (not a ballot message of ours)
 *   INVALID_SIGNATURE  the authority's RFC 9474 signature over the prepared message does not verify
 *   DUPLICATE_N2       an earlier VALID or DUPLICATE_N2 ballot (log order) carried the same commitment
 *   INVALID_CHOICE     the choice is not one of the election's choices
 *   VALID              otherwise
 * There is no membership check of N2: the commitment hides it, and the blind signature (at most
 * one per voter) is what bounds the ballots.
 */
import type { KeyObject } from 'node:crypto';
import type { VoteStatus } from '../domain/tally-events.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { isN2Commitment } from '../crypto/n2-commitment.ts';

/** What a worker learnt from one ciphertext. No secret is in it: r is published by design. */
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
      /** base64url of r (modulus-size big-endian bytes). */
      revealedR: string;
      choice: string;
      /** The well-formed N2 commitment the message carries. */
      n2Commitment: string;
      signatureValid: boolean;
    };

export interface ClassifyContext {
  /** N2 commitments of the earlier VALID and DUPLICATE_N2 ballots, in log order. */
  seen: ReadonlySet<string>;
  choices: ReadonlySet<string>;
}

export interface Classified {
  status: VoteStatus;
  revealedR: string | null;
  n2Commitment: string | null;
  choice: string | null;
  /** True when this ballot's commitment must join the seen set (status VALID or DUPLICATE_N2). */
  marksSeen: boolean;
}

export function classifyBallot(ballot: OpenedBallot, ctx: ClassifyContext): Classified {
  const base = { revealedR: ballot.revealedR, n2Commitment: ballot.n2Commitment, choice: ballot.choice };
  const result = (status: VoteStatus): Classified => ({ ...base, status, marksSeen: status === 'VALID' || status === 'DUPLICATE_N2' });
  if (ballot.kind === 'undecryptable') return result('UNDECRYPTABLE');
  if (!ballot.signatureValid) return result('INVALID_SIGNATURE');
  if (ctx.seen.has(ballot.n2Commitment)) return result('DUPLICATE_N2');
  if (!ctx.choices.has(ballot.choice)) return result('INVALID_CHOICE');
  return result('VALID');
}

/**
 * What a decrypted ballot says, read the one way the tally and the auditor both use: the plaintext
 * and ballot-message decoding, the commitment's form, the election check and the authority's
 * signature. One definition, so the auditor can never disagree with a correct tally through a
 * drifted copy.
 */
export function readOpenedBallot(authorityPublicKey: KeyObject, electionId: string, plaintextBytes: Uint8Array, revealedR: string): OpenedBallot {
  const unreadable = (choice: string | null = null, n2Commitment: string | null = null): OpenedBallot => ({ kind: 'undecryptable', revealedR, choice, n2Commitment });
  const plaintext = decodeBallotPlaintext(plaintextBytes);
  if (!plaintext.ok) return unreadable();
  const message = ballotMessageOf(plaintext.value.preparedMessage);
  if (!message.ok) return unreadable();
  const { choice, n2Commitment } = message.value;
  // A malformed commitment is not a ballot message of this protocol; its text is not published.
  if (!isN2Commitment(n2Commitment)) return unreadable(choice);
  // A message signed for another election: readable, but not a ballot of this one.
  if (message.value.electionId !== electionId) return unreadable(choice, n2Commitment);
  const signatureValid = verify(authorityPublicKey, plaintext.value.preparedMessage, plaintext.value.signature);
  return { kind: 'opened', revealedR, choice, n2Commitment, signatureValid };
}
