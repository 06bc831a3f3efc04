/** Programmer-error checks shared by every method: a breach throws RangeError (docs/methods.md, "Programmer errors"). */
import type { CountInput } from './types.ts';

/** Checks candidates, seats (1 … maxSeats), lotOrder and weights; returns the total weight. */
export function checkInput<B extends { weight: number }>(input: CountInput<B>, maxSeats = input.candidates): number {
  const { candidates, seats, lotOrder, ballots } = input;
  if (!Number.isSafeInteger(candidates) || candidates < 1) throw new RangeError(`candidates must be a positive integer, got ${candidates}`);
  if (!Number.isSafeInteger(seats) || seats < 1 || seats > Math.min(maxSeats, candidates)) {
    throw new RangeError(`seats must be an integer from 1 to ${Math.min(maxSeats, candidates)}, got ${seats}`);
  }
  const seen = new Set<number>();
  for (const c of lotOrder) {
    checkCandidate(c, candidates);
    seen.add(c);
  }
  if (lotOrder.length !== candidates || seen.size !== candidates) throw new RangeError('lotOrder must be a permutation of the candidate indices');
  let total = 0;
  for (const b of ballots) {
    if (!Number.isSafeInteger(b.weight) || b.weight < 1) throw new RangeError(`a ballot weight must be a positive integer, got ${b.weight}`);
    total += b.weight;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError('the total weight exceeds 2^53 − 1');
  return total;
}

export function checkCandidate(c: number, candidates: number): void {
  if (!Number.isInteger(c) || c < 0 || c >= candidates) throw new RangeError(`candidate index ${c} is not in 0 … ${candidates - 1}`);
}

/** A checker of lists of distinct candidate indices (rankings, approval sets), reusing one stamp array across ballots. */
export function distinctChecker(candidates: number): (list: readonly number[]) => void {
  const stamp = new Uint32Array(candidates);
  let current = 0;
  return (list) => {
    current++;
    for (const c of list) {
      checkCandidate(c, candidates);
      if (stamp[c] === current) throw new RangeError(`a candidate appears twice in [${list.join(', ')}]`);
      stamp[c] = current;
    }
  };
}

/** Position of each candidate in lotOrder: lower = favoured by the lot. */
export function lotPositions(lotOrder: readonly number[]): number[] {
  const pos: number[] = [];
  lotOrder.forEach((c, i) => (pos[c] = i));
  return pos;
}

/** Throws when an exact integer figure left the safe range, so no result is ever a rounded float. */
export function checkSafe(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError('a count exceeds 2^53 − 1');
  return n;
}
