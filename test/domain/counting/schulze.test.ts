/**
 * Schulze against the worked examples of M. Schulze, "The Schulze Method of Voting", arXiv:1804.02973,
 * section 3 (illustrations). The profiles and figures below were checked against the copies of the
 * same examples on the Electorama wiki ("Schulze method", oldid=70012, examples 1, 2 and 4) and
 * Schulze's own example page (en.wikipedia User:MarkusSchulze/Schulze_method_examples, example 1).
 */
import { describe, expect, it } from 'vitest';
import { countSchulze } from '../../../src/domain/counting/schulze.ts';
import { expand, identityLot, letters, ranked } from './profiles.ts';

const count = (lines: string[], candidates: number, seats = 1, lotOrder = identityLot(candidates)) =>
  countSchulze({ candidates, seats, ballots: ranked(lines), lotOrder });

describe('Schulze: published examples', () => {
  // Example 1 (45 voters, 5 candidates): d and p as printed; E wins; ranking E > A > C > B > D.
  const example1 = ['5 ACBED', '5 ADECB', '8 BEDAC', '3 CABED', '7 CAEBD', '2 CBADE', '7 DCEBA', '8 EBADC'];

  it('example 1: the pairwise matrix d, the strongest paths p, winner E and the full ranking', () => {
    const result = count(example1, 5, 5);
    const detail = result.rounds[0]?.detail as { pairwise: number[][]; strongestPaths: number[][]; ranking: number[] };
    expect(detail.pairwise).toEqual([
      [0, 20, 26, 30, 22],
      [25, 0, 16, 33, 18],
      [19, 29, 0, 17, 24],
      [15, 12, 28, 0, 14],
      [23, 27, 21, 31, 0],
    ]);
    expect(detail.strongestPaths).toEqual([
      [0, 28, 28, 30, 24],
      [25, 0, 28, 33, 24],
      [25, 29, 0, 29, 24],
      [25, 28, 28, 0, 24],
      [25, 28, 28, 31, 0],
    ]);
    expect(letters(result.winners)).toBe('EACBD');
    expect(result.rounds[0]?.tallies).toEqual([3, 1, 2, 0, 4]);
    expect(result.rounds[0]?.tieBreak).toBeUndefined();
  });

  it('example 1 with one seat elects E, whatever the lot', () => {
    expect(count(example1, 5, 1, [0, 1, 2, 3, 4]).winners).toEqual([4]);
    expect(count(example1, 5, 1, [4, 3, 2, 1, 0]).winners).toEqual([4]);
  });

  it('example 1 counted with weights equals it counted voter by voter', () => {
    const weighted = count(example1, 5, 5);
    const single = countSchulze({ candidates: 5, seats: 5, ballots: expand(ranked(example1)), lotOrder: identityLot(5) });
    expect(single).toEqual(weighted);
  });

  // Example 2 (30 voters, 4 candidates): strongest paths as printed; ranking D > A > C > B.
  it('example 2: strongest paths and the ranking D > A > C > B', () => {
    const result = count(['5 ACBD', '2 ACDB', '3 ADCB', '4 BACD', '3 CBDA', '3 CDBA', '1 DACB', '5 DBAC', '4 DCBA'], 4, 4);
    const detail = result.rounds[0]?.detail as { strongestPaths: number[][] };
    expect(detail.strongestPaths).toEqual([
      [0, 20, 20, 17],
      [19, 0, 19, 17],
      [19, 21, 0, 17],
      [18, 18, 18, 0],
    ]);
    expect(letters(result.winners)).toBe('DACB');
  });

  // Example 4 (9 voters, 4 candidates): B and D are both potential winners (p[B,D] = p[D,B] = 5),
  // the case the paper's tie-breaking addresses; here the public lot decides.
  const example4 = ['3 ABCD', '2 DABC', '2 DBCA', '2 CBDA'];

  it('example 4: the strongest paths as printed, and B and D tied as potential winners', () => {
    const detail = count(example4, 4).rounds[0]?.detail as { strongestPaths: number[][] };
    expect(detail.strongestPaths).toEqual([
      [0, 5, 5, 5],
      [5, 0, 7, 5],
      [5, 5, 0, 5],
      [6, 5, 5, 0],
    ]);
  });

  it('example 4: the lot decides between B and D, and the round names the rule', () => {
    const dFirst = count(example4, 4, 1, [3, 1, 0, 2]);
    expect(dFirst.winners).toEqual([3]);
    expect(dFirst.rounds[0]?.tieBreak).toMatch(/^lot: place 1: 3, 1 potential winners/);
    const bFirst = count(example4, 4, 1, [1, 3, 0, 2]);
    expect(bFirst.winners).toEqual([1]);
    // D beats A and B beats C by path strength; every other pair is tied, so the lot orders the rest.
    const all = count(example4, 4, 4, [3, 1, 0, 2]);
    expect(letters(all.winners)).toBe('DBAC');
    // A lot favouring A cannot lift A above D, who beats it: B (lot over D), then C, D, A.
    expect(letters(count(example4, 4, 4, [0, 2, 1, 3]).winners)).toBe('BCDA');
  });
});
