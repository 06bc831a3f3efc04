/** The tally decider: given events, when command, then events or error. */
import { describe, expect, it } from 'vitest';
import { decideTally, evolveTally, initialTallyState, isCounted, type TallyState } from '../../src/domain/tally.ts';
import type { TallyEvent, VoteCounted } from '../../src/domain/tally-events.ts';
import { createHash } from 'node:crypto';
import { countBallots } from '../../src/domain/counting/index.ts';
import { drawLot } from '../../src/domain/counting/lot.ts';
import { nodePrimitives } from '../../src/crypto/node-primitives.ts';

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

describe('tally decider, election with ballot rules', () => {
  const rules = { form: { kind: 'ranked' as const, blank: true, full: false }, method: 'irv' as const, seats: 1 };
  const choices = ['Ada', 'Bob', 'Cy'];
  const lotOrder = [2, 0, 1];
  const publish = (ballot = { rules, lotOrder }) => ({ type: 'PublishTally' as const, electionId: E, choices, ballot, now: NOW });
  const texts = ['ranked:0', 'ranked:0>1', 'ranked:1>2', 'ranked:2>1', 'ranked:2', ''];

  it('publishes every round of the method and then TallyPublished with the winners, in one decision', () => {
    const state = given(started(7), ...texts.map((t, i) => counted(vote(`h${i}`, 'VALID', t))), counted(vote('x', 'INVALID_CHOICE', 'Ada')));
    const events = decideTally(publish(), state) as TallyEvent[];
    // Independent of the decider: countBallots over the same ballots (blank: an empty ranking).
    const ranking = [[0], [0, 1], [1, 2], [2, 1], [2], []];
    const expected = countBallots('irv', { candidates: 3, seats: 1, ballots: ranking.map((r) => ({ weight: 1, ranking: r })), lotOrder });
    expect(expected.rounds.length).toBeGreaterThan(1);
    expect(events.map((e) => e.type)).toEqual([...expected.rounds.map(() => 'RoundCounted'), 'TallyPublished']);
    expect(events.slice(0, -1).map((e) => e.data)).toEqual(expected.rounds.map((r) => ({ electionId: E, ...r })));
    expect(events.at(-1)).toEqual({
      type: 'TallyPublished',
      data: { electionId: E, counts: {}, statuses: { VALID: 6, INVALID_SIGNATURE: 0, DUPLICATE_N2: 0, INVALID_CHOICE: 1, UNDECRYPTABLE: 0 }, ballots: 7, publishedAt: NOW, method: 'irv', unit: expected.unit, winners: expected.winners.map((i) => choices[i]) },
    });
    // Published: nothing more, rounds folded once.
    const after = events.reduce(evolveTally, state);
    expect(decideTally(publish(), after)).toEqual([]);
    expect(after.rounds).toHaveLength(expected.rounds.length);
  });

  it('refuses to publish a VALID text that is not a ballot of the form (INVALID_CHOICES)', () => {
    const state = given(started(2), counted(vote('a', 'VALID', 'ranked:0')), counted(vote('b', 'VALID', 'Ada')));
    expect(decideTally(publish(), state)).toMatchObject({ code: 'INVALID_CHOICES', details: { strays: 1 } });
  });
});

describe('the lot', () => {
  it('is the candidates sorted by SHA-256 of domain, seed and index (recomputed here with node:crypto)', () => {
    const seed = 'ab'.repeat(32);
    const key = (i: number) => createHash('sha256').update(`evote-lot/v1\u0000${seed}\u0000${i}`).digest('hex');
    const independent = Array.from({ length: 10 }, (_, i) => i).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(drawLot(nodePrimitives.sha256, seed, 10)).toEqual(independent);
    expect(drawLot(nodePrimitives.sha256, 'cd'.repeat(32), 10)).not.toEqual(independent);
  });
});
