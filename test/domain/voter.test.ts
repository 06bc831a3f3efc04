/** The voter decider's blind-signature rules, given events / when command / then events or error. */
import { describe, expect, it } from 'vitest';
import { voterDecider, type IssueBlindSignature, type VoterState } from '../../src/domain/voter.ts';
import type { VoterEvent } from '../../src/domain/voter-events.ts';
import { isDomainError } from '../../src/domain/errors.ts';

const E = 'e1';
const V = 'v1';
const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const NOW = '2026-01-01T10:00:00.000Z';

const given = (...events: VoterEvent[]): VoterState => events.reduce(voterDecider.evolve, voterDecider.initialState);
const when = (state: VoterState, overrides: Partial<IssueBlindSignature> = {}) =>
  voterDecider.decide({ type: 'IssueBlindSignature', electionId: E, voterId: V, blindedMessageHash: H1, electionStatus: 'VOTE_STARTED', ...overrides }, state);
const issued = (hash: string): VoterEvent => ({ type: 'BlindSignatureIssued', data: { electionId: E, voterId: V, blindedMessageHash: hash } });
const codeOf = (r: unknown) => (isDomainError(r) ? r.code : 'events');

describe('voter decider: blind signatures', () => {
  it('issues the first signature while voting is open', () => {
    expect(when(given())).toEqual([issued(H1)]);
  });

  it('issues after a credential was delivered too (other voter events do not matter)', () => {
    const state = given({ type: 'CredentialIssued', data: { electionId: E, voterId: V, channel: 'email', issuedAt: NOW } });
    expect(state.credentialIssued).toBe(true);
    expect(when(state)).toEqual([issued(H1)]);
  });

  it('answers a retry with the same blinded message without a second event', () => {
    expect(when(given(issued(H1)))).toEqual([]);
  });

  it('refuses a different blinded message once one was signed', () => {
    expect(codeOf(when(given(issued(H1)), { blindedMessageHash: H2 }))).toBe('ALREADY_SIGNED');
  });

  it('keeps the first hash even if a (corrupt) log held a second event', () => {
    expect(given(issued(H1), issued(H2)).blindedMessageHash).toBe(H1);
  });

  it('refuses before voting starts and after it ended', () => {
    expect(codeOf(when(given(), { electionStatus: 'REGISTER' }))).toBe('WRONG_STATE');
    expect(codeOf(when(given(), { electionStatus: 'VOTE_ENDED' }))).toBe('WRONG_STATE');
    // Even a retry of the same message is refused once voting ended: nothing more is signed.
    expect(codeOf(when(given(issued(H1)), { electionStatus: 'VOTE_ENDED' }))).toBe('WRONG_STATE');
  });

  it('refuses an unknown election', () => {
    expect(codeOf(when(given(), { electionStatus: 'NONE' }))).toBe('ELECTION_NOT_FOUND');
  });
});
