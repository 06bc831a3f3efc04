/**
 * Events of the `tally-{electionId}` stream. Each VoteCounted reveals r, so anyone can check
 * r^e mod N = c0 and decrypt that ballot without the private key (verifiable decryption).
 */
export type VoteStatus = 'VALID' | 'INVALID_SIGNATURE' | 'INVALID_N2' | 'DUPLICATE_N2' | 'INVALID_CHOICE' | 'UNDECRYPTABLE';

export const VOTE_STATUSES: readonly VoteStatus[] = ['VALID', 'INVALID_SIGNATURE', 'INVALID_N2', 'DUPLICATE_N2', 'INVALID_CHOICE', 'UNDECRYPTABLE'];

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
    /** SHA-256 (hex) of N2 as found in the ballot, or null when it could not be read. */
    hashN2: string | null;
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

export const tallyStreamId = (electionId: string) => `tally-${electionId}`;
