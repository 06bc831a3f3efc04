import type { BallotRejection } from './ballot-form.ts';
import type { MethodName } from './counting/types.ts';
/** Events of the `tally-{electionId}` stream; each VoteCounted reveals r, so anyone can check its decryption. */
/** DUPLICATE_N2: a second ballot with the same N2 commitment (a copied ciphertext, or a replayed ballot). */
export type VoteStatus = 'VALID' | 'INVALID_SIGNATURE' | 'DUPLICATE_N2' | 'INVALID_CHOICE' | 'UNDECRYPTABLE';

export const VOTE_STATUSES: readonly VoteStatus[] = ['VALID', 'INVALID_SIGNATURE', 'DUPLICATE_N2', 'INVALID_CHOICE', 'UNDECRYPTABLE'];

export interface TallyStarted {
  type: 'TallyStarted';
  /** `ballots`: BallotCast events the tally covers (those before VotingEnded in log order). */
  data: { electionId: string; ballots: number; startedAt: string };
}

export interface VoteCounted {
  type: 'VoteCounted';
  data: {
    electionId: string;
    ballotHash: string;
    /** base64url, modulus-size big-endian; null when UNDECRYPTABLE. */
    revealedR: string | null;
    /** As found in the ballot; null when it could not be read. */
    n2Commitment: string | null;
    choice: string | null;
    status: VoteStatus;
    /** Why the choice is INVALID_CHOICE, in elections with a ballot form only (docs/methods.md, "Ballot forms"). */
    reason?: BallotRejection;
    /** A VALID ballot of a weighted election: its class's weight (docs/methods.md "Weighted voters"). */
    weight?: number;
  };
}

export interface TallyPublished {
  type: 'TallyPublished';
  data: {
    electionId: string;
    /** VALID votes per choice, every choice present; ballots per status, every status present. */
    counts: Record<string, number>;
    statuses: Record<VoteStatus, number>;
    ballots: number;
    publishedAt: string;
    /** Elections with ballot rules only ({} counts there: the figures are in RoundCounted). */
    method?: MethodName;
    /** The unit of every RoundCounted's `tallies`. */
    unit?: string;
    /** Candidates' names in order of election. */
    winners?: string[];
  };
}

/**
 * One round of an election counted by its method (ballot rules only), all before TallyPublished in
 * the same append; the fields are the method's CountRound (src/domain/counting/types.ts), candidates by index.
 */
export interface RoundCounted {
  type: 'RoundCounted';
  data: {
    electionId: string;
    round: number;
    tallies: (number | string)[];
    elected: number[];
    eliminated: number[];
    tieBreak?: string;
    detail?: Readonly<Record<string, unknown>>;
  };
}

/**
 * A trustee whose partial decryption of a ballot failed verification (its batch's Shoup proof) when
 * the combination did not open it: named once, with the batch as evidence anyone can re-check.
 */
export interface TrusteeFaulted {
  type: 'TrusteeFaulted';
  data: {
    electionId: string;
    trusteeIndex: number;
    trustee: string;
    ballotHash: string;
    /** The failing partial's value, `index.x`. */
    partial: string;
    /** The trustee's batch whose proof failed, as stored: its ballots in order, their values and its proof (re-check with the c0s on the log). */
    batch?: { id: string; ballotHashes: string[]; partials: string[]; proof: string };
    faultedAt: string;
  };
}

export type TallyEvent = TallyStarted | VoteCounted | TrusteeFaulted | RoundCounted | TallyPublished;
