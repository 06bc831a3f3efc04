import { checkInput, checkSafe } from './check.ts';
import { checkGraded } from './graded.ts';
import { emptyRound, topByTotal } from './top-by-total.ts';
import type { CountInput, CountResult, GradedBallot } from './types.ts';

/** Score: sum of grade × weight, ungraded = 0; the `seats` highest totals win, ties by lot (docs/methods.md). */
export function countScore(input: CountInput<GradedBallot>): CountResult {
  checkInput(input);
  const totals = new Array<number>(input.candidates).fill(0);
  let graded = false;
  for (const b of input.ballots) {
    if (!checkGraded(b, input.candidates)) continue;
    graded = true;
    b.grades.forEach((g, c) => {
      if (g !== null) totals[c] = checkSafe((totals[c] as number) + g * b.weight);
    });
  }
  const round = graded ? topByTotal(totals, input.seats, input.lotOrder) : emptyRound(input.candidates);
  return { method: 'score', winners: round.elected, rounds: [round], unit: 'points (grade × weight)' };
}
