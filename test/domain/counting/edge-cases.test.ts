/** Nothing to count, and the programmer errors the ballot-form decoder must have prevented (RangeError). */
import { describe, expect, it } from 'vitest';
import { countBallots, METHODS, type CountedMethod } from '../../../src/domain/counting/index.ts';
import type { CountResult } from '../../../src/domain/counting/types.ts';

const base = { candidates: 3, seats: 1, lotOrder: [0, 1, 2] };
const empty = (r: CountResult) => ({ winners: r.winners, rounds: r.rounds });
const noWinner = { winners: [], rounds: [{ round: 1, tallies: [0, 0, 0], elected: [], eliminated: [] }] };

describe('nothing to count', () => {
  it.each(['plurality', 'approval', 'score', 'majority-judgment', 'irv', 'stv-scottish', 'schulze'] as CountedMethod[])('%s: no ballots elects nobody in one round of zeros', (method) => {
    expect(empty(countBallots(method, { ...base, ballots: [] }))).toEqual(noWinner);
  });

  it('all-blank ballots elect nobody, whatever the method', () => {
    expect(empty(countBallots('plurality', { ...base, ballots: [{ weight: 3, choice: null }] }))).toEqual(noWinner);
    expect(empty(countBallots('approval', { ...base, ballots: [{ weight: 3, approved: [] }] }))).toEqual(noWinner);
    expect(empty(countBallots('score', { ...base, ballots: [{ weight: 3, grades: [null, null, null] }] }))).toEqual(noWinner);
    expect(empty(countBallots('majority-judgment', { ...base, ballots: [{ weight: 3, grades: [] }] }))).toEqual(noWinner);
    expect(empty(countBallots('irv', { ...base, ballots: [{ weight: 3, ranking: [] }] }))).toEqual(noWinner);
    expect(empty(countBallots('schulze', { ...base, ballots: [{ weight: 3, ranking: [] }] }))).toEqual(noWinner);
    expect(empty(countBallots('stv-scottish', { ...base, ballots: [{ weight: 3, ranking: [] }] }))).toEqual(noWinner);
  });

  it('seats beyond the candidates who got votes are still filled, by the rules and the lot', () => {
    const r = countBallots('plurality', { candidates: 3, seats: 2, lotOrder: [2, 1, 0], ballots: [{ weight: 1, choice: 0 }] });
    expect(r.winners).toEqual([0, 2]);
  });
});

describe('programmer errors throw RangeError', () => {
  const cases: [string, () => unknown][] = [
    ['seats > candidates', () => countBallots('approval', { ...base, seats: 4, ballots: [] })],
    ['seats 0', () => countBallots('plurality', { ...base, seats: 0, ballots: [] })],
    ['IRV with two seats', () => countBallots('irv', { ...base, seats: 2, ballots: [] })],
    ['a choice out of range', () => countBallots('plurality', { ...base, ballots: [{ weight: 1, choice: 3 }] })],
    ['a negative approval', () => countBallots('approval', { ...base, ballots: [{ weight: 1, approved: [-1] }] })],
    ['an approval given twice', () => countBallots('approval', { ...base, ballots: [{ weight: 1, approved: [1, 1] }] })],
    ['a ranking out of range', () => countBallots('schulze', { ...base, ballots: [{ weight: 1, ranking: [0, 7] }] })],
    ['a candidate ranked twice', () => countBallots('irv', { ...base, ballots: [{ weight: 1, ranking: [2, 2] }] })],
    ['STV with more seats than candidates', () => countBallots('stv-scottish', { ...base, seats: 4, ballots: [] })],
    ['an STV ranking out of range', () => countBallots('stv-scottish', { ...base, ballots: [{ weight: 1, ranking: [3] }] })],
    ['more grades than candidates', () => countBallots('score', { ...base, ballots: [{ weight: 1, grades: [1, 1, 1, 1] }] })],
    ['a fractional grade', () => countBallots('majority-judgment', { ...base, ballots: [{ weight: 1, grades: [1.5, 0, 0] }] })],
    ['a zero weight', () => countBallots('plurality', { ...base, ballots: [{ weight: 0, choice: 1 }] })],
    ['a fractional weight', () => countBallots('schulze', { ...base, ballots: [{ weight: 1.5, ranking: [1] }] })],
    ['a lotOrder that is not a permutation', () => countBallots('score', { ...base, lotOrder: [0, 0, 1], ballots: [] })],
    ['a total weight past 2^53', () => countBallots('plurality', { ...base, ballots: [{ weight: 2 ** 52, choice: 0 }, { weight: 2 ** 52, choice: 0 }] })],
  ];
  it.each(cases)('%s', (_, run) => {
    expect(run).toThrow(RangeError);
  });
});

describe('the method list', () => {
  it('names every method once with the ballot form it reads', () => {
    expect(METHODS.map((m) => [m.method, m.form])).toEqual([
      ['plurality', 'single'],
      ['approval', 'approval'],
      ['score', 'graded'],
      ['majority-judgment', 'graded'],
      ['irv', 'ranked'],
      ['stv-scottish', 'ranked'],
      ['schulze', 'ranked'],
    ]);
  });

  it('dispatches to the named method', () => {
    const ballots = [{ weight: 2, ranking: [1, 0] }, { weight: 1, ranking: [0] }];
    expect(countBallots('irv', { ...base, ballots }).method).toBe('irv');
    expect(countBallots('schulze', { ...base, ballots }).method).toBe('schulze');
    expect(countBallots('stv-scottish', { ...base, ballots }).method).toBe('stv-scottish');
  });
});
