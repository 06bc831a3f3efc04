/** Plurality, approval and score: totals, seats, the lot on equal totals, and their units. */
import { describe, expect, it } from 'vitest';
import { countApproval } from '../../../src/domain/counting/approval.ts';
import { countPlurality } from '../../../src/domain/counting/plurality.ts';
import { countScore } from '../../../src/domain/counting/score.ts';

describe('plurality', () => {
  // The Tennessee capital example (Wikipedia, "Plurality voting" / "Instant-runoff voting"): Memphis
  // (42 %) wins under plurality, ahead of Nashville 26, Knoxville 17, Chattanooga 15.
  const tennessee = [
    { weight: 42, choice: 0 },
    { weight: 26, choice: 1 },
    { weight: 15, choice: 2 },
    { weight: 17, choice: 3 },
    { weight: 9, choice: null },
  ];

  it('elects the highest total; blank ballots count nowhere', () => {
    const r = countPlurality({ candidates: 4, seats: 1, ballots: tennessee, lotOrder: [3, 2, 1, 0] });
    expect(r).toEqual({ method: 'plurality', winners: [0], unit: 'votes', rounds: [{ round: 1, tallies: [42, 26, 15, 17], elected: [0], eliminated: [] }] });
  });

  it('with several seats elects the highest totals in order', () => {
    expect(countPlurality({ candidates: 4, seats: 3, ballots: tennessee, lotOrder: [0, 1, 2, 3] }).winners).toEqual([0, 1, 3]);
  });

  it('equal totals at the last seat go by the lot, and the round names it', () => {
    const ballots = [{ weight: 5, choice: 0 }, { weight: 3, choice: 1 }, { weight: 3, choice: 2 }];
    const r = countPlurality({ candidates: 3, seats: 2, ballots, lotOrder: [2, 0, 1] });
    expect(r.winners).toEqual([0, 2]);
    expect(r.rounds[0]?.tieBreak).toBe('lot: equal totals among 1, 2 ordered by lotOrder');
    expect(countPlurality({ candidates: 3, seats: 2, ballots, lotOrder: [1, 0, 2] }).winners).toEqual([0, 1]);
  });
});

describe('approval', () => {
  it('adds each ballot weight to every approved candidate', () => {
    const ballots = [{ weight: 2, approved: [0, 2] }, { weight: 3, approved: [1] }, { weight: 1, approved: [2, 1, 0] }, { weight: 4, approved: [] }];
    const r = countApproval({ candidates: 3, seats: 2, ballots, lotOrder: [0, 1, 2] });
    expect(r.rounds[0]?.tallies).toEqual([3, 4, 3]);
    expect(r.winners).toEqual([1, 0]);
    expect(r.rounds[0]?.tieBreak).toBe('lot: equal totals among 0, 2 ordered by lotOrder');
    expect(r.unit).toBe('approvals');
  });
});

describe('score', () => {
  it('sums grade × weight, an ungraded candidate counting 0', () => {
    const ballots = [{ weight: 2, grades: [5, null, 1] }, { weight: 1, grades: [0, 9, 3] }, { weight: 3, grades: [null, 1, null] }];
    const r = countScore({ candidates: 3, seats: 1, ballots, lotOrder: [0, 1, 2] });
    expect(r.rounds[0]?.tallies).toEqual([10, 12, 5]);
    expect(r.winners).toEqual([1]);
    expect(r.unit).toBe('points (grade × weight)');
  });
});
