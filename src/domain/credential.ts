/**
 * The credential aggregate: minted once, spent at most once by a cast while voting is open.
 */
import type { ElectionStatus } from './election-events.ts';
import type { CredentialEvent } from './credential-events.ts';
import { domainError, type DomainError } from './errors.ts';

export interface CastBallot {
  type: 'CastBallot';
  electionId: string;
  hashN1: string;
  /** 'NONE' when the election does not exist. */
  electionStatus: ElectionStatus | 'NONE';
}

export type CredentialCommand = CastBallot;

export interface CredentialState {
  minted: boolean;
  spent: boolean;
}

export const initialCredentialState: CredentialState = Object.freeze({ minted: false, spent: false });

export function evolveCredential(state: CredentialState, event: CredentialEvent): CredentialState {
  switch (event.type) {
    case 'CredentialMinted':
      return { ...state, minted: true };
    case 'CredentialSpent':
      return { ...state, spent: true };
    default:
      return state;
  }
}

export function decideCredential(command: CredentialCommand, state: CredentialState): CredentialEvent[] | DomainError {
  // The same answer whether the election or only the credential is unknown: N1 guessing learns nothing.
  if (!state.minted) return domainError('UNKNOWN_CREDENTIAL', 'no credential was minted for this N1 in this election');
  if (state.spent) return domainError('ALREADY_CAST', 'this credential has already cast a ballot');
  if (command.electionStatus !== 'VOTE_STARTED') {
    return domainError('VOTING_CLOSED', `the election is not accepting ballots (it is in ${command.electionStatus})`, {
      current: command.electionStatus,
    });
  }
  return [{ type: 'CredentialSpent', data: { electionId: command.electionId, hashN1: command.hashN1 } }];
}

export const credentialDecider = { decide: decideCredential, evolve: evolveCredential, initialState: initialCredentialState };
