/** Writing published ballot profiles as they are printed ("5 ACBED" = 5 voters, A > C > B > E > D). */
import type { RankedBallot } from '../../../src/domain/counting/types.ts';

export const letter = (c: string): number => c.charCodeAt(0) - 65;
export const letters = (cs: readonly number[]): string => cs.map((c) => String.fromCharCode(65 + c)).join('');

/** One weighted ballot per printed line. */
export function ranked(lines: readonly string[]): RankedBallot[] {
  return lines.map((line) => {
    const [count, order] = line.split(' ') as [string, string];
    return { weight: Number(count), ranking: [...order].map(letter) };
  });
}

/** The same profile with every weight-w ballot written out as w ballots of weight 1. */
export function expand<B extends { weight: number }>(ballots: readonly B[]): B[] {
  return ballots.flatMap((b) => Array.from({ length: b.weight }, () => ({ ...b, weight: 1 })));
}

export const identityLot = (n: number): number[] => Array.from({ length: n }, (_, c) => c);
