/**
 * Commands of the election aggregate. Time (`now`, ISO-8601) and identifiers (`electionId`,
 * `voterId`) are chosen by the caller, so the decider stays pure and its tests deterministic.
 */
import type { VotingEndReason } from './election-events.ts';

export interface CreateElection {
  type: 'CreateElection';
  electionId: string;
  theme: string;
  choices: string[];
  expectedVoters: number;
  now: string;
}

export interface ConfigureElection {
  type: 'ConfigureElection';
  electionId: string;
  theme?: string;
  choices?: string[];
  expectedVoters?: number;
  closesAt?: string | null;
  now: string;
}

export interface RegisterVoter {
  type: 'RegisterVoter';
  electionId: string;
  voterId: string;
  email: string;
  now: string;
}

/** Bulk registration (CSV import). `line` is the 1-based source line, reported in errors. */
export interface RegisterVoters {
  type: 'RegisterVoters';
  electionId: string;
  voters: { voterId: string; email: string; line: number }[];
  /**
   * When true, rows whose e-mail is already registered are skipped instead of refused, so an
   * interrupted import can simply be run again. Duplicates inside the batch are always refused.
   */
  skipAlreadyRegistered: boolean;
  now: string;
}

export interface StartVoting {
  type: 'StartVoting';
  electionId: string;
  now: string;
}

export interface EndVoting {
  type: 'EndVoting';
  electionId: string;
  reason: VotingEndReason;
  now: string;
}

export type ElectionCommand = CreateElection | ConfigureElection | RegisterVoter | RegisterVoters | StartVoting | EndVoting;
