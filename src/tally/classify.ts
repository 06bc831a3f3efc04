/**
 * The tally's rules for one ballot, as a pure function. The worker threads do the expensive,
 * order-independent part (decrypt, decode, verify the authority's signature, hash N2); this module
 * decides the status from their result and the election's facts. Only the duplicate rule depends
 * on the ballots before it, so the caller feeds ballots in log order and keeps the seen-N2 set.
 *
 * Statuses are decided in this order (the first that applies wins):
 *   UNDECRYPTABLE      decryption or decoding failed, or the message names another election
 *   INVALID_SIGNATURE  the authority's RFC 9474 signature over the prepared message does not verify
 *   INVALID_N2         hash(N2) is not among the election's minted credentials
 *   DUPLICATE_N2       an earlier VALID or DUPLICATE_N2 ballot (log order) carried the same N2
 *   INVALID_CHOICE     the choice is not one of the election's choices
 *   VALID              otherwise
 */
import type { KeyObject } from 'node:crypto';
import type { VoteStatus } from '../domain/tally-events.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { hashToken } from '../credentials/tokens.ts';

/** What a worker learnt from one ciphertext. No secret is in it: r is published by design. */
export type OpenedBallot =
  | {
      kind: 'undecryptable';
      /** r when the KEM step worked but the rest did not (anyone can still check r^e = c0). */
      revealedR: string | null;
      choice: string | null;
      hashN2: string | null;
    }
  | {
      kind: 'opened';
      /** base64url of r (modulus-size big-endian bytes). */
      revealedR: string;
      choice: string;
      /** SHA-256 hex of the N2 bytes, or null when the N2 in the message is not a well-formed token. */
      hashN2: string | null;
      signatureValid: boolean;
    };

export interface ClassifyContext {
  /** hashN2 of every credential minted for the election (before VotingEnded). */
  minted: ReadonlySet<string>;
  /** hashN2 of the earlier VALID and DUPLICATE_N2 ballots, in log order. */
  seen: ReadonlySet<string>;
  choices: ReadonlySet<string>;
}

export interface Classified {
  status: VoteStatus;
  revealedR: string | null;
  hashN2: string | null;
  choice: string | null;
  /** True when this ballot's hashN2 must join the seen set (status VALID or DUPLICATE_N2). */
  marksSeen: boolean;
}

export function classifyBallot(ballot: OpenedBallot, ctx: ClassifyContext): Classified {
  const base = { revealedR: ballot.revealedR, hashN2: ballot.hashN2, choice: ballot.choice };
  const result = (status: VoteStatus): Classified => ({ ...base, status, marksSeen: status === 'VALID' || status === 'DUPLICATE_N2' });
  if (ballot.kind === 'undecryptable') return result('UNDECRYPTABLE');
  if (!ballot.signatureValid) return result('INVALID_SIGNATURE');
  if (ballot.hashN2 === null || !ctx.minted.has(ballot.hashN2)) return result('INVALID_N2');
  if (ctx.seen.has(ballot.hashN2)) return result('DUPLICATE_N2');
  if (!ctx.choices.has(ballot.choice)) return result('INVALID_CHOICE');
  return result('VALID');
}

/**
 * What a decrypted ballot says, read the one way the tally and the auditor both use: the plaintext
 * and ballot-message decoding, hash(N2), the election check and the authority's signature. One
 * definition, so the auditor can never disagree with a correct tally through a drifted copy.
 * N2 itself never leaves this function: only its hash does.
 */
export function readOpenedBallot(authorityPublicKey: KeyObject, electionId: string, plaintextBytes: Uint8Array, revealedR: string): OpenedBallot {
  const unreadable = (choice: string | null = null, hashN2: string | null = null): OpenedBallot => ({ kind: 'undecryptable', revealedR, choice, hashN2 });
  const plaintext = decodeBallotPlaintext(plaintextBytes);
  if (!plaintext.ok) return unreadable();
  const message = ballotMessageOf(plaintext.value.preparedMessage);
  if (!message.ok) return unreadable();
  const { choice, n2 } = message.value;
  const hashN2 = hashToken(n2) ?? null;
  // A message signed for another election: readable, but not a ballot of this one.
  if (message.value.electionId !== electionId) return unreadable(choice, hashN2);
  const signatureValid = verify(authorityPublicKey, plaintext.value.preparedMessage, plaintext.value.signature);
  return { kind: 'opened', revealedR, choice, hashN2, signatureValid };
}
