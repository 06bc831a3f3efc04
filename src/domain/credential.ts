/**
 * The credential aggregate (`credential-{electionId}-{hash(N1)}`): minted once (revision 0), then
 * at most one BallotCast, and only while voting is open. The handler appends with the expected
 * revision it folded (0 after the mint), so two racing casts of one N1 cannot both land: the store
 * refuses the second and its re-decision answers ALREADY_CAST.
 */
import type { ElectionStatus } from './election-events.ts';
import type { CredentialEvent } from './credential-events.ts';
import { domainError, type DomainError } from './errors.ts';

export interface CastBallot {
  type: 'CastBallot';
  electionId: string;
  hashN1: string;
  /** SHA-256 (hex) of the ciphertext bytes; the handler has already checked the ciphertext decodes. */
  ballotHash: string;
  ciphertext: string;
  /** The election's status as the handler read it ('NONE' when the election does not exist). */
  electionStatus: ElectionStatus | 'NONE';
}

export type CredentialCommand = CastBallot;

export interface CredentialState {
  minted: boolean;
  /** Hash of the ballot this credential cast, or null. */
  ballotHash: string | null;
}

export const initialCredentialState: CredentialState = Object.freeze({ minted: false, ballotHash: null });

export function evolveCredential(state: CredentialState, event: CredentialEvent): CredentialState {
  switch (event.type) {
    case 'CredentialMinted':
      return { ...state, minted: true };
    case 'BallotCast':
      return state.ballotHash === null ? { ...state, ballotHash: event.data.ballotHash } : state;
    default:
      return state;
  }
}

export function decideCredential(command: CredentialCommand, state: CredentialState): CredentialEvent[] | DomainError {
  // The same answer whether the election or only the credential is unknown: N1 guessing learns nothing.
  if (!state.minted) return domainError('UNKNOWN_CREDENTIAL', 'no credential was minted for this N1 in this election');
  if (state.ballotHash !== null) {
    // sameBallot lets a client that lost its receipt recognise its own retry (the hash is public anyway).
    return domainError('ALREADY_CAST', 'this credential has already cast a ballot', {
      sameBallot: state.ballotHash === command.ballotHash,
      ...(state.ballotHash === command.ballotHash && { ballotHash: state.ballotHash }),
    });
  }
  if (command.electionStatus !== 'VOTE_STARTED') {
    return domainError('VOTING_CLOSED', `the election is not accepting ballots (it is in ${command.electionStatus})`, {
      current: command.electionStatus,
    });
  }
  return [
    {
      type: 'BallotCast',
      data: { electionId: command.electionId, hashN1: command.hashN1, ballotHash: command.ballotHash, ciphertext: command.ciphertext },
    },
  ];
}

export const credentialDecider = { decide: decideCredential, evolve: evolveCredential, initialState: initialCredentialState };
