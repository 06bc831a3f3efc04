/** Majority judgment against published examples and a literal re-implementation of iterated median removal. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMajorityJudgment } from '../../../src/domain/counting/majority-judgment.ts';
import { countSchulze } from '../../../src/domain/counting/schulze.ts';
import type { GradedBallot } from '../../../src/domain/counting/types.ts';
import { identityLot } from './profiles.ts';

const [POOR, FAIR, GOOD, EXCELLENT] = [0, 1, 2, 3];
const mj = (ballots: GradedBallot[], candidates: number, seats = 1, lotOrder = identityLot(candidates)) =>
  countMajorityJudgment({ candidates, seats, ballots, lotOrder });

describe('majority judgment: published examples', () => {
  // Wikipedia, "Majority judgment", section "Voting process": X graded (Good, Good, Fair, Poor) and
  // Y (Excellent, Fair, Fair, Fair) share the majority grade Fair; removing one Fair from each leaves
  // X the median Good against Y's Fair, so X ranks first. Only each candidate's grades matter, so the
  // i-th ballot carries X's i-th and Y's i-th grade.
  it('breaks an equal majority grade by removing it (X before Y)', () => {
    const x = [GOOD, GOOD, FAIR, POOR];
    const y = [EXCELLENT, FAIR, FAIR, FAIR];
    const result = mj(x.map((g, i) => ({ weight: 1, grades: [g, y[i] as number] })), 2, 2, [1, 0]);
    expect(result.winners).toEqual([0, 1]);
    expect(result.rounds[0]?.tallies).toEqual([FAIR, FAIR]);
    expect(result.rounds[0]?.tieBreak).toBeUndefined();
  });

  // Wikipedia, "Condorcet criterion", section "Majority judgment" (non-complying methods): 35 voters
  // grade A excellent, B fair, C poor; 34 grade C excellent, B fair, A poor; 31 grade B excellent,
  // C good, A fair. B is the Condorcet winner, but C alone has the median grade good and wins.
  const condorcet: GradedBallot[] = [
    { weight: 35, grades: [EXCELLENT, FAIR, POOR] },
    { weight: 34, grades: [POOR, FAIR, EXCELLENT] },
    { weight: 31, grades: [FAIR, EXCELLENT, GOOD] },
  ];

  it('elects C with majority grade good although B is the Condorcet winner', () => {
    const result = mj(condorcet, 3, 3);
    expect(result.winners[0]).toBe(2);
    expect(result.rounds[0]?.tallies).toEqual([FAIR, FAIR, GOOD]);
    // The majority gauges (above, below) of Balinski & Laraki: A (35, 34) and B (31, 0) are both
    // "fair+", so the larger share above ranks A before B.
    expect(result.rounds[0]?.detail?.gauge).toEqual([
      { above: 35, below: 34 },
      { above: 31, below: 0 },
      { above: 34, below: 35 },
    ]);
    expect(result.winners).toEqual([2, 0, 1]);
    const asRanking = [
      { weight: 35, ranking: [0, 1, 2] },
      { weight: 34, ranking: [2, 1, 0] },
      { weight: 31, ranking: [1, 2, 0] },
    ];
    expect(countSchulze({ candidates: 3, seats: 1, ballots: asRanking, lotOrder: [0, 1, 2] }).winners).toEqual([1]);
  });
});

describe('majority judgment: conventions', () => {
  it('an ungraded candidate gets the lowest grade; a ballot grading nobody is not counted', () => {
    const withNull = mj([{ weight: 2, grades: [3, null] }, { weight: 1, grades: [0, 1] }], 2);
    expect(withNull.rounds[0]?.detail?.gradeCounts).toEqual([[1, 0, 0, 2], [2, 1]]);
    const withBlank = mj([{ weight: 2, grades: [3, 1] }, { weight: 5, grades: [null, null] }], 2);
    expect(withBlank.rounds[0]?.detail?.gradedWeight).toBe(2);
    expect(withBlank.rounds[0]?.tallies).toEqual([3, 1]);
  });

  it('identical grade distributions are ordered by the lot, and the round says so', () => {
    const ballots = [{ weight: 1, grades: [2, 1] }, { weight: 1, grades: [1, 2] }];
    expect(mj(ballots, 2, 1, [1, 0]).winners).toEqual([1]);
    expect(mj(ballots, 2, 1, [0, 1]).winners).toEqual([0]);
    expect(mj(ballots, 2, 1, [0, 1]).rounds[0]?.tieBreak).toBe('lot: equal majority values ordered by lotOrder');
  });
});

/** Balinski & Laraki's definition taken literally: remove the (lower) median grade one voter at a time. */
function majorityValue(grades: number[]): number[] {
  const rest = [...grades].sort((a, b) => a - b);
  const out: number[] = [];
  while (rest.length > 0) {
    const [median] = rest.splice(Math.ceil(rest.length / 2) - 1, 1);
    out.push(median as number);
  }
  return out;
}
const lexCompare = (a: number[], b: number[]) => {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 0 : (a[i] as number) - (b[i] as number);
};

describe('majority judgment: the run-length comparison equals literal iterated removal', () => {
  it('orders candidates as the literal majority values do, weights expanded (property)', () => {
    const ballot = fc.record({ weight: fc.integer({ min: 1, max: 4 }), grades: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(ballot, { minLength: 1, maxLength: 12 }), (ballots) => {
        const result = mj(ballots, 3, 3, [2, 0, 1]);
        const values = [0, 1, 2].map((c) => majorityValue(ballots.flatMap((b) => new Array<number>(b.weight).fill(b.grades[c] as number))));
        const lot = [1, 2, 0];
        const expected = [0, 1, 2].sort((a, b) => lexCompare(values[b] as number[], values[a] as number[]) || (lot[a] as number) - (lot[b] as number));
        expect(result.winners).toEqual(expected);
        expect(result.rounds[0]?.tallies).toEqual(values.map((v) => v[0]));
      }),
      { numRuns: 300 },
    );
  });
});
