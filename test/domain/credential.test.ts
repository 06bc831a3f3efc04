/** The credential decider's casting rules, given events / when command / then events or error. */
import { describe, expect, it } from 'vitest';
import { credentialDecider, type CastBallot, type CredentialState } from '../../src/domain/credential.ts';
import type { CredentialEvent } from '../../src/domain/credential-events.ts';
import { isDomainError, type DomainError } from '../../src/domain/errors.ts';

const E = 'e1';
const HN1 = '1'.repeat(64);
const HN2 = '2'.repeat(64);

const given = (...events: CredentialEvent[]): CredentialState => events.reduce(credentialDecider.evolve, credentialDecider.initialState);
const when = (state: CredentialState, overrides: Partial<CastBallot> = {}) =>
  credentialDecider.decide({ type: 'CastBallot', electionId: E, hashN1: HN1, electionStatus: 'VOTE_STARTED', ...overrides }, state);
const minted: CredentialEvent = { type: 'CredentialMinted', data: { electionId: E, hashN1: HN1, hashN2: HN2 } };
const spent: CredentialEvent = { type: 'CredentialSpent', data: { electionId: E, hashN1: HN1 } };
const error = (r: unknown): DomainError => {
  if (!isDomainError(r)) throw new Error('expected an error');
  return r;
};

describe('credential decider: one N1, one ballot', () => {
  it('spends the credential once after the mint while voting is open; the event names no ballot', () => {
    expect(when(given(minted))).toEqual([spent]);
  });

  it('refuses an N1 that was never minted', () => {
    expect(error(when(given())).code).toBe('UNKNOWN_CREDENTIAL');
    // The election state does not change that answer (no oracle for guessing N1s).
    expect(error(when(given(), { electionStatus: 'VOTE_ENDED' })).code).toBe('UNKNOWN_CREDENTIAL');
  });

  it('refuses a second cast, before and after voting ended', () => {
    expect(error(when(given(minted, spent))).code).toBe('ALREADY_CAST');
    expect(error(when(given(minted, spent), { electionStatus: 'VOTE_ENDED' })).code).toBe('ALREADY_CAST');
  });

  it('refuses before voting starts and after it ended', () => {
    expect(error(when(given(minted), { electionStatus: 'REGISTER' })).code).toBe('VOTING_CLOSED');
    expect(error(when(given(minted), { electionStatus: 'VOTE_ENDED' })).code).toBe('VOTING_CLOSED');
    expect(error(when(given(minted), { electionStatus: 'NONE' })).code).toBe('VOTING_CLOSED');
  });

  it('folds: minted, then spent', () => {
    expect(given(minted)).toEqual({ minted: true, spent: false });
    expect(given(minted, spent)).toEqual({ minted: true, spent: true });
  });
});
