/** Reading graded ballots, shared by score and majority judgment. */
import { checkCandidate } from './check.ts';
import type { GradedBallot } from './types.ts';

/** Checks one graded ballot; returns whether it grades anyone (a ballot of nulls only is blank). */
export function checkGraded(b: GradedBallot, candidates: number): boolean {
  if (b.grades.length > candidates) checkCandidate(b.grades.length - 1, candidates);
  let graded = false;
  for (const g of b.grades) {
    if (g === null) continue;
    if (!Number.isSafeInteger(g) || g < 0) throw new RangeError(`a grade must be a non-negative integer, got ${g}`);
    graded = true;
  }
  return graded;
}
