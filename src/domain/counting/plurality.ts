import { checkCandidate, checkInput, checkSafe } from './check.ts';
import { emptyRound, topByTotal } from './top-by-total.ts';
import type { CountInput, CountResult, SingleBallot } from './types.ts';

/** Plurality (docs/methods.md): each ballot's weight to its choice; the `seats` highest totals win, ties by lot. */
export function countPlurality(input: CountInput<SingleBallot>): CountResult {
  checkInput(input);
  const totals = new Array<number>(input.candidates).fill(0);
  let cast = 0;
  for (const b of input.ballots) {
    if (b.choice === null) continue;
    checkCandidate(b.choice, input.candidates);
    totals[b.choice] = checkSafe((totals[b.choice] as number) + b.weight);
    cast += b.weight;
  }
  const round = cast === 0 ? emptyRound(input.candidates) : topByTotal(totals, input.seats, input.lotOrder);
  return { method: 'plurality', winners: round.elected, rounds: [round], unit: 'votes' };
}
