/**
 * The voter decider: at most ONE blind signature per voter. A retry with the same blinded message is
 * answered again (RSA signing is deterministic, so nothing is stored); a different one is refused.
 */
import type { ElectionStatus } from './election-events.ts';
import type { VoterEvent } from './voter-events.ts';
import { domainError, type DomainError } from './errors.ts';

export interface IssueBlindSignature {
  type: 'IssueBlindSignature';
  electionId: string;
  voterId: string;
  blindedMessageHash: string;
  /** The voter's weight class, in a weighted election: recorded so the audit counts signatures per class. */
  weight?: number;
  /** 'NONE' when the election does not exist. */
  electionStatus: ElectionStatus | 'NONE';
}

export type VoterCommand = IssueBlindSignature;

export interface VoterState {
  blindedMessageHash: string | null;
  credentialIssued: boolean;
}

export const initialVoterState: VoterState = Object.freeze({ blindedMessageHash: null, credentialIssued: false });

export function evolveVoter(state: VoterState, event: VoterEvent): VoterState {
  switch (event.type) {
    case 'BlindSignatureIssued':
      return state.blindedMessageHash === null ? { ...state, blindedMessageHash: event.data.blindedMessageHash } : state;
    case 'CredentialIssued':
      return { ...state, credentialIssued: true };
    default:
      return state;
  }
}

export function decideVoter(command: VoterCommand, state: VoterState): VoterEvent[] | DomainError {
  if (command.electionStatus === 'NONE') return domainError('ELECTION_NOT_FOUND', 'no such election', { electionId: command.electionId });
  if (command.electionStatus !== 'VOTE_STARTED') {
    return domainError('WRONG_STATE', `blind signatures are issued only while voting is open; the election is in ${command.electionStatus}`, {
      current: command.electionStatus,
      required: 'VOTE_STARTED',
    });
  }
  if (state.blindedMessageHash === command.blindedMessageHash) return []; // a retry: answer again, record nothing
  if (state.blindedMessageHash !== null) {
    return domainError('ALREADY_SIGNED', 'this voter already obtained a blind signature for another ballot');
  }
  return [
    {
      type: 'BlindSignatureIssued',
      data: { electionId: command.electionId, voterId: command.voterId, blindedMessageHash: command.blindedMessageHash, ...(command.weight !== undefined && { weight: command.weight }) },
    },
  ];
}

export const voterDecider = { decide: decideVoter, evolve: evolveVoter, initialState: initialVoterState };
