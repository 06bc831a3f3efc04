/** The credential decider's casting rules, given events / when command / then events or error. */
import { describe, expect, it } from 'vitest';
import { credentialDecider, type CastBallot, type CredentialState } from '../../src/domain/credential.ts';
import type { CredentialEvent } from '../../src/domain/credential-events.ts';
import { isDomainError, type DomainError } from '../../src/domain/errors.ts';

const E = 'e1';
const HN1 = '1'.repeat(64);
const HN2 = '2'.repeat(64);
const BH = 'c'.repeat(64);

const given = (...events: CredentialEvent[]): CredentialState => events.reduce(credentialDecider.evolve, credentialDecider.initialState);
const when = (state: CredentialState, overrides: Partial<CastBallot> = {}) =>
  credentialDecider.decide({ type: 'CastBallot', electionId: E, hashN1: HN1, ballotHash: BH, ciphertext: 'AQ', electionStatus: 'VOTE_STARTED', ...overrides }, state);
const minted: CredentialEvent = { type: 'CredentialMinted', data: { electionId: E, hashN1: HN1, hashN2: HN2 } };
const cast = (ballotHash = BH): CredentialEvent => ({ type: 'BallotCast', data: { electionId: E, hashN1: HN1, ballotHash, ciphertext: 'AQ' } });
const error = (r: unknown): DomainError => {
  if (!isDomainError(r)) throw new Error('expected an error');
  return r;
};

describe('credential decider: one N1, one ballot', () => {
  it('casts once after the mint while voting is open', () => {
    expect(when(given(minted))).toEqual([cast()]);
  });

  it('refuses an N1 that was never minted', () => {
    expect(error(when(given())).code).toBe('UNKNOWN_CREDENTIAL');
    // The election state does not change that answer (no oracle for guessing N1s).
    expect(error(when(given(), { electionStatus: 'VOTE_ENDED' })).code).toBe('UNKNOWN_CREDENTIAL');
  });

  it('refuses a second ballot, and says whether it is the same ballot again', () => {
    const same = error(when(given(minted, cast())));
    expect(same.code).toBe('ALREADY_CAST');
    expect(same.details).toEqual({ sameBallot: true, ballotHash: BH });
    const other = error(when(given(minted, cast()), { ballotHash: 'd'.repeat(64) }));
    expect(other.code).toBe('ALREADY_CAST');
    expect(other.details).toEqual({ sameBallot: false });
  });

  it('refuses before voting starts and after it ended', () => {
    expect(error(when(given(minted), { electionStatus: 'REGISTER' })).code).toBe('VOTING_CLOSED');
    expect(error(when(given(minted), { electionStatus: 'VOTE_ENDED' })).code).toBe('VOTING_CLOSED');
    expect(error(when(given(minted), { electionStatus: 'NONE' })).code).toBe('VOTING_CLOSED');
  });

  it('folds: minted, then the first ballot only', () => {
    expect(given(minted)).toEqual({ minted: true, ballotHash: null });
    expect(given(minted, cast(), cast('e'.repeat(64)))).toEqual({ minted: true, ballotHash: BH });
  });
});
