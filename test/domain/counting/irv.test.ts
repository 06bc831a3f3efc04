/** Instant-runoff against a published example, and its tie-breaking rules. */
import { describe, expect, it } from 'vitest';
import { countIrv } from '../../../src/domain/counting/irv.ts';
import { identityLot, letters, ranked } from './profiles.ts';

const count = (lines: string[], candidates: number, lotOrder = identityLot(candidates)) => countIrv({ candidates, seats: 1, ballots: ranked(lines), lotOrder });

describe('IRV: the Tennessee capital example', () => {
  // Wikipedia, "Instant-runoff voting", section "Examples" (the Tennessee capital election; also
  // electowiki "Effects of different voting systems under similar circumstances"): 42 % Memphis voters
  // M>N>C>K, 26 % Nashville N>C>K>M, 15 % Chattanooga C>K>N>M, 17 % Knoxville K>C>N>M.
  // Published count: Chattanooga (15) out first, its votes to Knoxville (32); Nashville (26) out next,
  // its votes to Knoxville; Knoxville wins 58 to 42. Candidates: A Memphis, B Nashville, C Chattanooga, D Knoxville.
  const result = count(['42 ABCD', '26 BCDA', '15 CDBA', '17 DCBA'], 4);

  it('elects Knoxville in round 3 with 58 against 42', () => {
    expect(letters(result.winners)).toBe('D');
    expect(result.rounds.map((r) => r.tallies)).toEqual([
      [42, 26, 15, 17],
      [42, 26, 0, 32],
      [42, 0, 0, 58],
    ]);
    expect(result.rounds.map((r) => [letters(r.eliminated), letters(r.elected)])).toEqual([
      ['C', ''],
      ['B', ''],
      ['', 'D'],
    ]);
  });

  it('records each transfer from the excluded candidate', () => {
    expect(result.rounds[0]?.detail).toEqual({ continuingVotes: 100, exhausted: 0, transfers: { from: 2, to: [0, 0, 0, 15], exhausted: 0 } });
    // Nashville's ballots skip excluded Chattanooga and reach Knoxville.
    expect(result.rounds[1]?.detail).toEqual({ continuingVotes: 100, exhausted: 0, transfers: { from: 1, to: [0, 0, 0, 26], exhausted: 0 } });
    expect(result.rounds[2]?.detail).toEqual({ continuingVotes: 100, exhausted: 0 });
    expect(result.unit).toBe('votes');
  });
});

describe('IRV: exhaustion and ties', () => {
  it('a ballot with no continuing preference exhausts, and the majority is of continuing votes', () => {
    // Round 1: A 4, B 3, C 2 (C's ballots rank C only) → C out, 2 exhaust; round 2: A 4 of 7 continuing.
    const r = count(['4 A', '3 B', '2 C'], 3);
    expect(r.winners).toEqual([0]);
    expect(r.rounds[0]?.detail).toMatchObject({ transfers: { from: 2, to: [0, 0, 0], exhausted: 2 } });
    expect(r.rounds[1]?.detail).toEqual({ continuingVotes: 7, exhausted: 2 });
  });

  it('breaks a tie for exclusion by the most recent round where the tied candidates differed', () => {
    const r = count(['7 A', '4 B', '3 C', '1 DC', '2 E'], 5, [3, 2, 1, 0, 4]);
    // Round 1: A 7, B 4, C 3, D 1, E 2 → D out, to C. Round 2: A 7, B 4, C 4, E 2 → E out (exhausts).
    // Round 3: A 7, B 4, C 4: B and C tie; at round 2 they were equal too, at round 1 C had 3 < 4 → C out.
    expect(r.rounds[2]?.tallies).toEqual([7, 4, 4, 0, 0]);
    expect(r.rounds[2]?.eliminated).toEqual([2]);
    expect(r.rounds[2]?.tieBreak).toBe('earlier round: 1, 2 tied; 2 had fewer votes at round 1');
    expect(r.winners).toEqual([0]);
  });

  it('falls back to the lot (the last in lotOrder is excluded) when the tied never differed', () => {
    const lotBLast = count(['3 A', '2 B', '2 C'], 3, [0, 2, 1]);
    expect(lotBLast.rounds[0]?.eliminated).toEqual([1]);
    expect(lotBLast.rounds[0]?.tieBreak).toMatch(/^lot: 1, 2 still tied/);
    const lotCLast = count(['3 A', '2 B', '2 C'], 3, [0, 1, 2]);
    expect(lotCLast.rounds[0]?.eliminated).toEqual([2]);
  });

  it('a two-way tie in the last round ends by excluding the lot loser, then electing the other', () => {
    const r = count(['1 AB', '1 BA'], 2, [1, 0]);
    expect(r.rounds.map((x) => [x.eliminated, x.elected])).toEqual([
      [[0], []],
      [[], [1]],
    ]);
    expect(r.rounds[1]?.tallies).toEqual([0, 2]);
  });
});
