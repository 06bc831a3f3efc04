import { checkInput, checkSafe, lotPositions } from './check.ts';
import { checkGraded } from './graded.ts';
import { compareMajorityValue, majorityGauge, majorityGrade } from './majority-value.ts';
import { emptyRound } from './top-by-total.ts';
import type { CountInput, CountResult, CountRound, GradedBallot } from './types.ts';

/** Majority judgment: ordered by majority value, ungraded = lowest grade 0, equal values by lot (docs/methods.md). */
export function countMajorityJudgment(input: CountInput<GradedBallot>): CountResult {
  checkInput(input);
  const { candidates, seats, lotOrder } = input;
  const counts: number[][] = Array.from({ length: candidates }, () => [0]);
  let total = 0;
  for (const b of input.ballots) {
    if (!checkGraded(b, candidates)) continue;
    total += b.weight;
    for (let c = 0; c < candidates; c++) {
      const g = b.grades[c] ?? 0;
      const row = counts[c] as number[];
      while (row.length <= g) row.push(0);
      row[g] = checkSafe((row[g] as number) + b.weight);
    }
  }
  const unit = 'majority grade (0 = lowest)';
  if (total === 0) {
    const round = emptyRound(candidates);
    return { method: 'majority-judgment', winners: [], rounds: [round], unit };
  }
  const lot = lotPositions(lotOrder);
  const order = counts.map((_, c) => c).sort((a, b) => compareMajorityValue(counts[b] as number[], counts[a] as number[], total) || (lot[a] as number) - (lot[b] as number));
  const elected = order.slice(0, seats);
  const tallies = counts.map((row) => majorityGrade(row, total));
  const lotUsed = order.some((c, i) => i > 0 && i <= seats && compareMajorityValue(counts[c] as number[], counts[order[i - 1] as number] as number[], total) === 0);
  const round: CountRound = {
    round: 1,
    tallies,
    elected,
    eliminated: [],
    ...(lotUsed ? { tieBreak: 'lot: equal majority values ordered by lotOrder' } : {}),
    detail: { gradeCounts: counts, gauge: counts.map((row) => majorityGauge(row, total)), order, gradedWeight: total },
  };
  return { method: 'majority-judgment', winners: elected, rounds: [round], unit };
}
