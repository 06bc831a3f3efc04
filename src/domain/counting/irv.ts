import { checkInput, checkSafe, distinctChecker, lotPositions } from './check.ts';
import { emptyRound } from './top-by-total.ts';
import type { CountInput, CountResult, CountRound, RankedBallot } from './types.ts';

/** Instant-runoff, one seat, one round per exclusion (docs/methods.md, "Instant-runoff voting"). */
export function countIrv(input: CountInput<RankedBallot>): CountResult {
  checkInput(input, 1);
  const { candidates, ballots } = input;
  const checkDistinct = distinctChecker(candidates);
  for (const b of ballots) checkDistinct(b.ranking);
  const unit = 'votes';
  const piles: number[][] = Array.from({ length: candidates }, () => []);
  const next = ballots.map(() => 0);
  const votes = new Array<number>(candidates).fill(0);
  const continuing = new Set<number>(Array.from({ length: candidates }, (_, c) => c));
  let exhausted = 0;
  ballots.forEach((b, i) => {
    const first = b.ranking[0];
    if (first === undefined) return;
    (piles[first] as number[]).push(i);
    votes[first] = checkSafe((votes[first] as number) + b.weight);
    next[i] = 1;
  });
  if (piles.every((p) => p.length === 0)) return { method: 'irv', winners: [], rounds: [emptyRound(candidates)], unit };
  const history: number[][] = [];
  const rounds: CountRound[] = [];
  const lot = lotPositions(input.lotOrder);
  for (;;) {
    const tallies = [...votes];
    const continuingVotes = [...continuing].reduce((s, c) => s + (tallies[c] as number), 0);
    history.push(tallies);
    const round = rounds.length + 1;
    const top = [...continuing].find((c) => 2 * (tallies[c] as number) > continuingVotes);
    if (top !== undefined) {
      rounds.push({ round, tallies, elected: [top], eliminated: [], detail: { continuingVotes, exhausted } });
      return { method: 'irv', winners: [top], rounds, unit };
    }
    const { loser, rule } = lowest([...continuing], history, lot);
    continuing.delete(loser);
    const transfers = new Array<number>(candidates).fill(0);
    let exhaustedNow = 0;
    for (const i of piles[loser] as number[]) {
      const b = ballots[i] as RankedBallot;
      let k = next[i] as number;
      while (k < b.ranking.length && !continuing.has(b.ranking[k] as number)) k++;
      next[i] = k + 1;
      const to = b.ranking[k];
      if (to === undefined) {
        exhaustedNow += b.weight;
      } else {
        (piles[to] as number[]).push(i);
        transfers[to] = (transfers[to] as number) + b.weight;
        votes[to] = (votes[to] as number) + b.weight;
      }
    }
    piles[loser] = [];
    votes[loser] = 0;
    exhausted += exhaustedNow;
    rounds.push({
      round,
      tallies,
      elected: [],
      eliminated: [loser],
      ...(rule ? { tieBreak: rule } : {}),
      detail: { continuingVotes, exhausted: exhausted - exhaustedNow, transfers: { from: loser, to: transfers, exhausted: exhaustedNow } },
    });
  }
}

/** The candidate to exclude: fewest votes; among equals, fewest at the latest earlier round where they differed; then the lot's last. */
function lowest(continuing: number[], history: number[][], lot: readonly number[]): { loser: number; rule?: string } {
  const now = history[history.length - 1] as number[];
  const least = Math.min(...continuing.map((c) => now[c] as number));
  let tied = continuing.filter((c) => now[c] === least);
  if (tied.length === 1) return { loser: tied[0] as number };
  const tiedAtStart = tied.join(', ');
  for (let r = history.length - 2; r >= 0 && tied.length > 1; r--) {
    const then = history[r] as number[];
    const min = Math.min(...tied.map((c) => then[c] as number));
    const fewer = tied.filter((c) => then[c] === min);
    if (fewer.length < tied.length) {
      tied = fewer;
      if (tied.length === 1) return { loser: tied[0] as number, rule: `earlier round: ${tiedAtStart} tied; ${tied[0]} had fewer votes at round ${r + 1}` };
    }
  }
  const loser = tied.reduce((a, b) => ((lot[a] as number) > (lot[b] as number) ? a : b));
  return { loser, rule: `lot: ${tied.join(', ')} still tied after the earlier rounds (from ${tiedAtStart}); ${loser} is last in lotOrder` };
}
