import type { BallotForm } from './ballot-form.ts';
import type { MethodName } from './counting/types.ts';
import type { TrusteeTranscript } from './trustees.ts';
import type { WeightClass } from './weight-classes.ts';

/** Events of the `election-{electionId}` stream, voters included: public to auditors, plain JSON (docs/events.md). */

export type ElectionStatus = 'REGISTER' | 'VOTE_STARTED' | 'VOTE_ENDED';

export interface ElectionCreated {
  type: 'ElectionCreated';
  data: {
    electionId: string;
    theme: string;
    choices: string[];
    expectedVoters: number;
    createdAt: string;
    /** Public halves only (private ones are in the key store); encodings as in CreateElection. */
    authorityPublicKey: string;
    ballotPublicKey: string;
    logPublicKey: string;
    /** Named witnesses' vkeys, sorted; absent when none were named (and in logs older than the field). */
    witnesses?: string[];
    /**
     * The ballot form, counting method and seats (docs/methods.md), all three or none: absent for a
     * single-choice plurality election with no blank ballot (every election before forms existed).
     */
    form?: BallotForm;
    method?: MethodName;
    seats?: number;
    /** A weighted election's classes, by weight, each with its own authority key; absent when unweighted. */
    weightClasses?: WeightClass[];
  };
}

/** Right after ElectionCreated, in the same append: the key ceremony's transcript (no secret in it). */
export interface TrusteesAppointed {
  type: 'TrusteesAppointed';
  data: TrusteeTranscript & { electionId: string; appointedAt: string };
}

export interface ElectionConfigured {
  type: 'ElectionConfigured';
  data: {
    electionId: string;
    theme?: string;
    choices?: string[];
    expectedVoters?: number;
    /** ISO-8601; voting closes automatically at this time when set. */
    closesAt?: string | null;
    configuredAt: string;
  };
}

export interface VoterRegistered {
  type: 'VoterRegistered';
  data: {
    electionId: string;
    voterId: string;
    /** HMAC-SHA256 (hex) of the normalised address under the PII key: uniqueness without the address. */
    emailHmac: string;
    /** Encrypted under the election's PII key; destroying the key forgets it. */
    emailEncrypted: string;
    /** The voter's weight class; only in weighted elections. */
    weight?: number;
    registeredAt: string;
  };
}

export interface VotingStarted {
  type: 'VotingStarted';
  data: { electionId: string; startedAt: string; registeredVoters: number };
}

export type VotingEndReason = 'ADMIN' | 'ALL_VOTED' | 'CLOSING_TIME';

export interface VotingEnded {
  type: 'VotingEnded';
  data: { electionId: string; endedAt: string; reason: VotingEndReason };
}

export type ElectionEvent = ElectionCreated | TrusteesAppointed | ElectionConfigured | VoterRegistered | VotingStarted | VotingEnded;
export type ElectionEventType = ElectionEvent['type'];

export const ELECTION_EVENT_TYPES: readonly ElectionEventType[] = [
  'ElectionCreated',
  'TrusteesAppointed',
  'ElectionConfigured',
  'VoterRegistered',
  'VotingStarted',
  'VotingEnded',
];
