/** The shared last step of plurality, approval and score: the `seats` highest totals, ties by lot. */
import { lotPositions } from './check.ts';
import type { CountRound } from './types.ts';

/** Orders candidates by total (highest first), equal totals by lotOrder, and takes the first `seats`. */
export function topByTotal(totals: readonly number[], seats: number, lotOrder: readonly number[], detail?: Record<string, unknown>): CountRound {
  const lot = lotPositions(lotOrder);
  const order = totals.map((_, c) => c).sort((a, b) => (totals[b] as number) - (totals[a] as number) || (lot[a] as number) - (lot[b] as number));
  const elected = order.slice(0, seats);
  const tied = tiedWithWinners(totals, elected);
  return {
    round: 1,
    tallies: totals,
    elected,
    eliminated: [],
    ...(tied.length > 0 ? { tieBreak: `lot: equal totals among ${tied.join(', ')} ordered by lotOrder` } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** Candidates sharing a total with some winner (the order among them, or who got the seat, came from the lot). */
function tiedWithWinners(totals: readonly number[], elected: readonly number[]): number[] {
  const winnerTotals = new Set(elected.map((c) => totals[c]));
  const groups = totals.map((t, c) => ({ t, c })).filter(({ t }) => winnerTotals.has(t));
  const count = new Map<number, number>();
  for (const { t } of groups) count.set(t, (count.get(t) ?? 0) + 1);
  return groups.filter(({ t }) => (count.get(t) ?? 0) > 1).map(({ c }) => c);
}

/** The result of a count with nothing to count: one round of zeros, nobody elected (docs/methods.md, "Nothing to count"). */
export function emptyRound(candidates: number): CountRound {
  return { round: 1, tallies: new Array<number>(candidates).fill(0), elected: [], eliminated: [] };
}
