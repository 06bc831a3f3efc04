import { checkInput, checkSafe, distinctChecker } from './check.ts';
import { emptyRound, topByTotal } from './top-by-total.ts';
import type { ApprovalBallot, CountInput, CountResult } from './types.ts';

/** Approval (docs/methods.md): each ballot's weight to every candidate it approves; the `seats` highest totals win, ties by lot. */
export function countApproval(input: CountInput<ApprovalBallot>): CountResult {
  checkInput(input);
  const totals = new Array<number>(input.candidates).fill(0);
  let approvals = 0;
  const checkDistinct = distinctChecker(input.candidates);
  for (const b of input.ballots) {
    checkDistinct(b.approved);
    for (const c of b.approved) totals[c] = checkSafe((totals[c] as number) + b.weight);
    approvals += b.approved.length;
  }
  const round = approvals === 0 ? emptyRound(input.candidates) : topByTotal(totals, input.seats, input.lotOrder);
  return { method: 'approval', winners: round.elected, rounds: [round], unit: 'approvals' };
}
