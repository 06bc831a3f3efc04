/** Properties every method must have, over random weighted profiles (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countBallots, type BallotOf, type CountedMethod } from '../../../src/domain/counting/index.ts';
import type { ApprovalBallot, CountInput, GradedBallot, RankedBallot, SingleBallot } from '../../../src/domain/counting/types.ts';
import { expand } from './profiles.ts';

const RUNS = { numRuns: 150 };
const weight = fc.integer({ min: 1, max: 5 });
const lotOf = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
const single = (n: number): fc.Arbitrary<SingleBallot> => fc.record({ weight, choice: fc.option(fc.integer({ min: 0, max: n - 1 }), { freq: 6 }) });
const approval = (n: number): fc.Arbitrary<ApprovalBallot> => fc.record({ weight, approved: fc.shuffledSubarray([...Array(n).keys()]) });
const ranking = (n: number) => fc.shuffledSubarray([...Array(n).keys()]);
const rankedB = (n: number): fc.Arbitrary<RankedBallot> => fc.record({ weight, ranking: ranking(n) });
const graded = (n: number): fc.Arbitrary<GradedBallot> => fc.record({ weight, grades: fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4 }), { minLength: n, maxLength: n }) });

const BALLOT: { [M in CountedMethod]: (n: number) => fc.Arbitrary<BallotOf[M]> } = {
  plurality: single,
  approval,
  score: graded,
  'majority-judgment': graded,
  irv: rankedB,
  'stv-scottish': rankedB,
  schulze: rankedB,
};
const METHODS = Object.keys(BALLOT) as CountedMethod[];

/** A random count input for `method`: 1–5 candidates, seats 1 (IRV) or 1 … candidates. */
function inputFor<M extends CountedMethod>(method: M): fc.Arbitrary<CountInput<BallotOf[M]>> {
  return fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.record({
      candidates: fc.constant(n),
      seats: method === 'irv' ? fc.constant(1) : fc.integer({ min: 1, max: n }),
      ballots: fc.array(BALLOT[method](n) as fc.Arbitrary<BallotOf[M]>, { maxLength: 25 }),
      lotOrder: lotOf(n),
    }),
  );
}

describe.each(METHODS)('%s', (method) => {
  it('is invariant under the order of the ballots', () => {
    fc.assert(
      fc.property(
        inputFor(method).chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray([...input.ballots.keys()], { minLength: input.ballots.length, maxLength: input.ballots.length }))),
        ([input, order]) => {
          const shuffled = { ...input, ballots: order.map((i) => input.ballots[i] as BallotOf[typeof method]) };
          expect(countBallots(method, shuffled)).toEqual(countBallots(method, input));
        },
      ),
      RUNS,
    );
  });

  it('counts a weight-w ballot exactly as w copies of it', () => {
    fc.assert(
      fc.property(inputFor(method), (input) => {
        expect(countBallots(method, { ...input, ballots: expand(input.ballots) })).toEqual(countBallots(method, input));
      }),
      RUNS,
    );
  });

  it('elects distinct candidates, `seats` of them unless nothing was expressed, all figures integers', () => {
    fc.assert(
      fc.property(inputFor(method), (input) => {
        const r = countBallots(method, input);
        expect(new Set(r.winners).size).toBe(r.winners.length);
        expect([0, input.seats]).toContain(r.winners.length);
        expect(r.rounds.length).toBeGreaterThan(0);
        for (const round of r.rounds) for (const t of round.tallies) expect(Number.isSafeInteger(t)).toBe(true);
      }),
      RUNS,
    );
  });
});

/** Every strict order of 0 … n−1: a profile in which every candidate is symmetric to every other. */
const permutations = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x) => permutations(xs.filter((y) => y !== x)).map((p) => [x, ...p])));

describe('ties between symmetric candidates are broken by the lot alone', () => {
  it('every method elects the lot order when all candidates are symmetric', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), lotOf(n), fc.integer({ min: 1, max: n }), weight)), ([n, lotOrder, seats, w]) => {
        const perms = permutations([...Array(n).keys()]);
        const ranked = perms.map((ranking) => ({ weight: w, ranking }));
        const expected = lotOrder.slice(0, seats);
        const base = { candidates: n, lotOrder };
        expect(countBallots('schulze', { ...base, seats, ballots: ranked }).winners).toEqual(expected);
        expect(countBallots('irv', { ...base, seats: 1, ballots: ranked }).winners).toEqual(expected.slice(0, 1));
        expect(countBallots('stv-scottish', { ...base, seats, ballots: ranked }).winners).toEqual(expected);
        expect(countBallots('plurality', { ...base, seats, ballots: perms.map((p) => ({ weight: w, choice: p[0] as number })) }).winners).toEqual(expected);
        expect(countBallots('approval', { ...base, seats, ballots: perms.map((p) => ({ weight: w, approved: p.slice(0, 2) })) }).winners).toEqual(expected);
        const grades = perms.map((p) => ({ weight: w, grades: p.map((c) => c % 3) }));
        expect(countBallots('score', { ...base, seats, ballots: grades }).winners).toEqual(expected);
        expect(countBallots('majority-judgment', { ...base, seats, ballots: grades }).winners).toEqual(expected);
      }),
      RUNS,
    );
  });
});

describe('relations between methods', () => {
  it('a Condorcet winner, when there is one, wins under Schulze', () => {
    let seen = 0;
    fc.assert(
      fc.property(inputFor('schulze'), (input) => {
        const n = input.candidates;
        const prefers = (x: number, y: number) =>
          input.ballots.reduce((s, b) => {
            const [px, py] = [b.ranking.indexOf(x), b.ranking.indexOf(y)];
            return s + (px >= 0 && (py < 0 || px < py) ? b.weight : 0);
          }, 0);
        const winner = [...Array(n).keys()].find((x) => [...Array(n).keys()].every((y) => y === x || prefers(x, y) > prefers(y, x)));
        if (winner === undefined || input.ballots.every((b) => b.ranking.length === 0)) return;
        seen++;
        expect(countBallots('schulze', input).winners[0]).toBe(winner);
      }),
      { numRuns: 400 },
    );
    expect(seen).toBeGreaterThan(50);
  });

  it('IRV with two candidates elects the plurality winner of the first preferences', () => {
    fc.assert(
      fc.property(fc.array(rankedB(2), { maxLength: 25 }), lotOf(2), (ballots, lotOrder) => {
        const irv = countBallots('irv', { candidates: 2, seats: 1, ballots, lotOrder });
        const plurality = countBallots('plurality', { candidates: 2, seats: 1, lotOrder, ballots: ballots.map((b) => ({ weight: b.weight, choice: b.ranking[0] ?? null })) });
        expect(irv.winners).toEqual(plurality.winners);
        expect(irv.rounds[0]?.tallies).toEqual(plurality.rounds[0]?.tallies);
      }),
      RUNS,
    );
  });

  it('approval with at most one approval per ballot is plurality', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(single(n), { maxLength: 25 }), lotOf(n), fc.integer({ min: 1, max: n }))),
        ([n, ballots, lotOrder, seats]) => {
          const approvalBallots = ballots.map((b) => ({ weight: b.weight, approved: b.choice === null ? [] : [b.choice] }));
          const a = countBallots('approval', { candidates: n, seats, ballots: approvalBallots, lotOrder });
          const p = countBallots('plurality', { candidates: n, seats, ballots, lotOrder });
          expect(a.rounds).toEqual(p.rounds);
          expect(a.winners).toEqual(p.winners);
        },
      ),
      RUNS,
    );
  });
});
