/** The read models' rows and queries, and the transitions the projections publish. */
import type { ElectionStatus } from '../domain/election-events.ts';
import type { TrusteesForFingerprint } from '../crypto/election-fingerprint-core.ts';
import type { BallotRules } from '../domain/ballot-form.ts';
import type { WeightClass } from '../domain/weight-classes.ts';
import type { MethodName } from '../domain/counting/types.ts';

/** Row of the `elections` read model. */
export interface ElectionRow {
  electionId: string;
  theme: string;
  choices: string[];
  expectedVoters: number;
  status: ElectionStatus;
  voterCount: number;
  closesAt: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Global position of the last event folded into this row. */
  position: number;
  /**
   * base64url SPKI DER of the authority's RSA blind-signing key (from ElectionCreated). The three
   * keys are always present in rows of the real read model; optional only so that stand-ins
   * written before they existed still type-check.
   */
  authorityPublicKey?: string;
  /** base64url SPKI DER of the counter's RSA ballot key. */
  ballotPublicKey?: string;
  /** base64url of the transparency log's raw 32-byte Ed25519 key. */
  logPublicKey?: string;
  /** The witnesses named at creation (sorted); empty when none. */
  witnesses?: string[];
  /** A trustee election's part of TrusteesAppointed the fingerprint covers; null for a single-key election. */
  trustees?: TrusteesForFingerprint | null;
  /** Form, method and seats of ElectionCreated (the fingerprint's version 3); absent for single-choice plurality. */
  ballot?: BallotRules | null;
  /** A weighted election's classes by weight, each with its authority key (the fingerprint's version 4); absent when unweighted. */
  weightClasses?: WeightClass[];
}

/** Row of the `voters` read model. */
export interface VoterRow {
  voterId: string;
  electionId: string;
  /** Decrypted on read with the election's PII key; null once that key is shredded ("forgotten"). */
  email: string | null;
  registeredAt: string;
  /** Credential delivery: none yet, issued (delivered), or failed (a re-run of credentials.issue retries). */
  credentialStatus?: 'none' | 'issued' | 'failed';
  channel?: 'email' | 'letter' | null;
  /** When the credential was delivered. */
  issuedAt?: string | null;
  /** The last delivery failure's reason code (never an address or a secret). */
  deliveryFailure?: string | null;
}

export interface ReadModelQueries {
  getElection(electionId: string): Promise<ElectionRow | undefined>;
  listElections(): Promise<ElectionRow[]>;
  /** Voters ordered by registration (then voter id); `limit` at most 1,000. */
  listVoters(electionId: string, page: { offset: number; limit: number }): Promise<VoterRow[]>;
  countVoters(electionId: string): Promise<number>;
}

/** One RoundCounted as the read side keeps it: candidates by index into the election's choices, `detail` left in the log. */
export interface OutcomeRound {
  round: number;
  tallies: (number | string)[];
  elected: number[];
  eliminated: number[];
  tieBreak?: string;
}

/** The published result of an election counted by its method (ballot rules): TallyPublished's method, unit and winners, and its rounds. */
export interface MethodOutcome {
  method: MethodName;
  /** The unit of every round's `tallies` (STV: integers in 10^-5 vote). */
  unit: string;
  /** Candidates' names, in order of election. */
  winners: string[];
  rounds: OutcomeRound[];
}

/**
 * A state transition of an election, pushed to WebSocket subscribers. Published by the projection
 * runner after the read model committed, so a subscriber that then queries sees the same state.
 * Voter-count changes are coalesced to one message per applied batch.
 */
export type ElectionTransition =
  | { electionId: string; transition: 'created'; status: ElectionStatus; position: number; election: ElectionRow }
  | { electionId: string; transition: 'configured'; status: ElectionStatus; position: number; election: ElectionRow }
  | { electionId: string; transition: 'voterCount'; status: ElectionStatus; position: number; voterCount: number }
  | { electionId: string; transition: 'started'; status: ElectionStatus; position: number; election: ElectionRow }
  | { electionId: string; transition: 'ended'; status: ElectionStatus; position: number; election: ElectionRow }
  /** Tally progress (src/projections/tally-projection.ts): ballots counted so far of those covered, coalesced per batch. */
  | { electionId: string; transition: 'tallyProgress'; status: ElectionStatus; position: number; done: number; total: number }
  /** TallyPublished: the published counts; an election counted by its method adds method, unit and winners (`counts` is then {}). */
  | {
      electionId: string;
      transition: 'tallied';
      status: ElectionStatus;
      position: number;
      counts: Record<string, number>;
      statuses: Record<string, number>;
      ballots: number;
      method?: MethodName;
      unit?: string;
      winners?: string[];
    };
