/**
 * Events of the `tally-{electionId}` stream. Each VoteCounted reveals r, so anyone can check
 * r^e mod N = c0 and decrypt that ballot without the private key (verifiable decryption).
 */
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
    /** The KEM secret r (base64url, modulus-size big-endian), or null when UNDECRYPTABLE. */
    revealedR: string | null;
    /** The N2 commitment as found in the ballot (src/crypto/n2-commitment.ts), or null when it could not be read. */
    n2Commitment: string | null;
    /** The choice as found in the ballot, or null when it could not be read. */
    choice: string | null;
    status: VoteStatus;
  };
}

export interface TallyPublished {
  type: 'TallyPublished';
  data: {
    electionId: string;
    /** VALID votes per choice, every choice present (0 when none). */
    counts: Record<string, number>;
    /** Ballots per status, every status present. */
    statuses: Record<VoteStatus, number>;
    ballots: number;
    publishedAt: string;
  };
}

export type TallyEvent = TallyStarted | VoteCounted | TallyPublished;

export { tallyStreamId } from './streams.ts';
