/** The tally decider: given events, when command, then events or error. */
import { describe, expect, it } from 'vitest';
import { decideTally, evolveTally, initialTallyState, isCounted, type TallyState } from '../../src/domain/tally.ts';
import type { TallyEvent, VoteCounted } from '../../src/domain/tally-events.ts';

const E = 'e1';
const NOW = '2030-01-01T00:00:00.000Z';
const given = (...events: TallyEvent[]): TallyState => events.reduce(evolveTally, initialTallyState);
const started = (ballots: number): TallyEvent => ({ type: 'TallyStarted', data: { electionId: E, ballots, startedAt: NOW } });
const vote = (ballotHash: string, status: VoteCounted['data']['status'] = 'VALID', choice: string | null = 'Yes'): VoteCounted['data'] => ({
  electionId: E,
  ballotHash,
  revealedR: null,
  n2Commitment: `n2-${ballotHash}`,
  choice,
  status,
});
const counted = (v: VoteCounted['data']): TallyEvent => ({ type: 'VoteCounted', data: v });
const code = (r: unknown) => (Array.isArray(r) ? 'events' : (r as { code: string }).code);

describe('tally decider', () => {
  it('starts only once the election is VOTE_ENDED, and only once', () => {
    for (const electionStatus of ['REGISTER', 'VOTE_STARTED'] as const) {
      const r = decideTally({ type: 'StartTally', electionId: E, electionStatus, ballots: 3, now: NOW }, initialTallyState);
      expect(r).toMatchObject({ code: 'WRONG_STATE', details: { current: electionStatus, required: 'VOTE_ENDED' } });
    }
    expect(code(decideTally({ type: 'StartTally', electionId: E, electionStatus: 'NONE', ballots: 3, now: NOW }, initialTallyState))).toBe('ELECTION_NOT_FOUND');
    expect(decideTally({ type: 'StartTally', electionId: E, electionStatus: 'VOTE_ENDED', ballots: 3, now: NOW }, initialTallyState)).toEqual([started(3)]);
    expect(decideTally({ type: 'StartTally', electionId: E, electionStatus: 'VOTE_ENDED', ballots: 3, now: NOW }, given(started(3)))).toEqual([]);
  });

  it('counts each ballot hash once, within the covered number, only while started', () => {
    expect(code(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('a')] }, initialTallyState))).toBe('WRONG_STATE');
    const state = given(started(3), counted(vote('a')));
    expect(code(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('a')] }, state))).toBe('ALREADY_COUNTED');
    expect(code(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('b'), vote('b')] }, state))).toBe('ALREADY_COUNTED');
    expect(code(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('b'), vote('c'), vote('d')] }, state))).toBe('UNEXPECTED_BALLOT');
    expect(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('b'), vote('c')] }, state)).toEqual([counted(vote('b')), counted(vote('c'))]);
  });

  it('publishes once, after every ballot, with counts recomputed from the VoteCounted events', () => {
    const partial = given(started(3), counted(vote('a')), counted(vote('b', 'DUPLICATE_N2')));
    expect(decideTally({ type: 'PublishTally', electionId: E, choices: ['Yes', 'No'], now: NOW }, partial)).toMatchObject({
      code: 'TALLY_INCOMPLETE',
      details: { counted: 2, ballots: 3 },
    });
    const full = evolveTally(partial, counted(vote('c', 'VALID', 'No')));
    const published = decideTallyCurried({ type: 'PublishTally', electionId: E, choices: ['Yes', 'No', 'Blank'], now: NOW });
    const events = published(full);
    expect(events).toEqual([
      {
        type: 'TallyPublished',
        data: {
          electionId: E,
          counts: { Yes: 1, No: 1, Blank: 0 },
          statuses: { VALID: 2, INVALID_SIGNATURE: 0, DUPLICATE_N2: 1, INVALID_CHOICE: 0, UNDECRYPTABLE: 0 },
          ballots: 3,
          publishedAt: NOW,
        },
      },
    ]);
    const done = (events as TallyEvent[]).reduce(evolveTally, full);
    expect(published(done)).toEqual([]);
    expect(code(decideTally({ type: 'CountVotes', electionId: E, votes: [vote('z')] }, done))).toBe('WRONG_STATE');
  });

  it('refuses to publish a VALID vote for a choice that is not on the ballot', () => {
    const state = given(started(1), counted(vote('a', 'VALID', 'Maybe')));
    expect(code(decideTally({ type: 'PublishTally', electionId: E, choices: ['Yes', 'No'], now: NOW }, state))).toBe('INVALID_CHOICES');
  });

  it('keeps every folded state unchanged when another is extended from it (persistent counted set)', () => {
    const base = given(started(3), counted(vote('a')));
    const left = evolveTally(base, counted(vote('b')));
    const right = evolveTally(base, counted(vote('c')));
    expect([isCounted(base.counted, 'b'), isCounted(base.counted, 'c')]).toEqual([false, false]);
    expect([isCounted(left.counted, 'b'), isCounted(left.counted, 'c')]).toEqual([true, false]);
    expect([isCounted(right.counted, 'b'), isCounted(right.counted, 'c')]).toEqual([false, true]);
    // A repeated VoteCounted in a (tampered) log is not counted twice.
    expect(evolveTally(left, counted(vote('a'))).counted.count).toBe(2);
  });
});

function decideTallyCurried(cmd: Parameters<typeof decideTally>[0]) {
  return (state: TallyState) => decideTally(cmd, state);
}
