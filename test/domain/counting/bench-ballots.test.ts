/**
 * The counting bench's ballots (bench/counting-ballots.ts) are valid input for every method, and
 * every method counts them through the bench's own call, so `npm run bench -- counting` cannot rot.
 * No timing here: speed is measured in the bench.
 */
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../src/domain/counting/index.ts';
import { BENCH_CANDIDATES, BENCH_SEATS, countSet, generateBallots, GRADES } from '../../../bench/counting-ballots.ts';
import { timeCount } from '../../../bench/counting.ts';
import { BENCH_FORMS, BENCH_NAMES, choiceTexts, decodeAll } from '../../../bench/counting-decode.ts';
import { decodeBallot } from '../../../src/domain/ballot-form.ts';

const N = 500;
const set = generateBallots(N);
const distinctInRange = (xs: readonly number[]) => new Set(xs).size === xs.length && xs.every((c) => Number.isInteger(c) && c >= 0 && c < BENCH_CANDIDATES);

describe('counting bench ballots', () => {
  it('gives N ballots in every form, one voter per index with the same weight in each', () => {
    for (const form of [set.single, set.approval, set.graded, set.ranked]) expect(form).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      const w = set.ranked[i]!.weight;
      expect([set.single[i]!.weight, set.approval[i]!.weight, set.graded[i]!.weight]).toEqual([w, w, w]);
      expect(Number.isInteger(w) && w >= 1 && w <= 5).toBe(true);
    }
  });

  it('gives valid ballots of the shape the bench promises', () => {
    for (const b of set.ranked) expect(distinctInRange(b.ranking)).toBe(true);
    for (const b of set.approval) expect(distinctInRange(b.approved) && b.approved.length <= 4).toBe(true);
    for (const b of set.single) expect(b.choice === null || distinctInRange([b.choice])).toBe(true);
    for (const b of set.graded) {
      expect(b.grades).toHaveLength(BENCH_CANDIDATES);
      expect(b.grades.every((g) => g === null || (Number.isInteger(g) && g >= 0 && g < GRADES))).toBe(true);
    }
    // Varied: rankings of several lengths, every approval count, some ungraded, all weights.
    expect(new Set(set.ranked.map((b) => b.ranking.length)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(set.approval.map((b) => b.approved.length)).size).toBeGreaterThanOrEqual(4);
    expect(set.graded.some((b) => b.grades.some((g) => g === null))).toBe(true);
    expect(new Set(set.ranked.map((b) => b.weight))).toEqual(new Set([1, 2, 3, 4, 5]));
    // One voter's forms agree: the single choice is the ranking's first and the first approval.
    for (let i = 0; i < N; i++) {
      const top = set.ranked[i]!.ranking[0] ?? null;
      expect(set.single[i]!.choice).toBe(top);
      expect(set.approval[i]!.approved[0] ?? null).toBe(top);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateBallots(50)).toEqual(generateBallots(50));
    expect(generateBallots(50, 1)).not.toEqual(generateBallots(50, 2));
  });

  for (const { method } of METHODS) {
    it(`${method}: counts the bench's ballots through the bench's own calls`, () => {
      const result = countSet(method, set);
      expect(result.method).toBe(method);
      expect(result.winners).toHaveLength(BENCH_SEATS[method]);
      expect(timeCount(method, set).winners).toEqual(result.winners);
    });
  }

  for (const form of ['single', 'approval', 'ranked', 'graded'] as const) {
    it(`${form}: the choice texts the bench decodes give back the bench's ballots`, () => {
      const texts = choiceTexts(form, set);
      expect(decodeAll(form, texts)).toBe(N);
      texts.forEach(({ text, weight }, i) => {
        const decoded = decodeBallot(BENCH_FORMS[form], BENCH_NAMES, text, weight);
        if (!decoded.ok) throw new Error(decoded.reason);
        const { kind, ...ballot } = decoded.ballot;
        expect(kind).toBe(form);
        // Approvals come back sorted: the canonical text sorts them.
        const want = form === 'approval' ? { weight, approved: [...set.approval[i]!.approved].sort((a, b) => a - b) } : set[form][i];
        expect(ballot).toEqual(want);
      });
    });
  }

  it('makes IRV and STV run several rounds, as the bench means them to', () => {
    expect(countSet('irv', set).rounds.length).toBeGreaterThan(3);
    expect(countSet('stv-scottish', set).rounds.length).toBeGreaterThan(3);
  });
});
