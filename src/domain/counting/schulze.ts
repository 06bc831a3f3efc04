import { checkInput, checkSafe, distinctChecker, lotPositions } from './check.ts';
import { emptyRound } from './top-by-total.ts';
import type { CountInput, CountResult, RankedBallot } from './types.ts';

/** Schulze with winning votes; the first `seats` of the Schulze ranking win, the lot choosing among potential winners (docs/methods.md). */
export function countSchulze(input: CountInput<RankedBallot>): CountResult {
  checkInput(input);
  const { candidates: n, ballots, seats } = input;
  const d = pairwise(ballots, n);
  const unit = 'candidates beaten (Schulze relation)';
  if (ballots.every((b) => b.ranking.length === 0)) return { method: 'schulze', winners: [], rounds: [emptyRound(n)], unit };
  const p = strongestPaths(d, n);
  const beats = (x: number, y: number) => (p[x]?.[y] as number) > (p[y]?.[x] as number);
  const lot = lotPositions(input.lotOrder);
  const remaining = new Set(Array.from({ length: n }, (_, c) => c));
  const ranking: number[] = [];
  const lotSeats: string[] = [];
  while (remaining.size > 0) {
    const potential = [...remaining].filter((x) => ![...remaining].some((y) => beats(y, x)));
    potential.sort((a, b) => (lot[a] as number) - (lot[b] as number));
    const pick = potential[0] as number;
    if (potential.length > 1 && ranking.length < seats) lotSeats.push(`place ${ranking.length + 1}: ${potential.join(', ')} potential winners, ${pick} first in lotOrder`);
    ranking.push(pick);
    remaining.delete(pick);
  }
  const tallies = Array.from({ length: n }, (_, x) => Array.from({ length: n }, (_, y) => y).filter((y) => beats(x, y)).length);
  const winners = ranking.slice(0, seats);
  const round = {
    round: 1,
    tallies,
    elected: winners,
    eliminated: [],
    ...(lotSeats.length > 0 ? { tieBreak: `lot: ${lotSeats.join('; ')}` } : {}),
    detail: { pairwise: d, strongestPaths: p, ranking },
  };
  return { method: 'schulze', winners, rounds: [round], unit };
}

/** d[x][y]: total weight of ballots ranking x above y (an unranked candidate is below every ranked one). */
function pairwise(ballots: readonly RankedBallot[], n: number): number[][] {
  const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const ranked = new Array<boolean>(n);
  const checkDistinct = distinctChecker(n);
  for (const b of ballots) {
    checkDistinct(b.ranking);
    ranked.fill(false);
    for (const x of b.ranking) {
      ranked[x] = true;
      const row = d[x] as number[];
      for (let y = 0; y < n; y++) if (!ranked[y]) row[y] = checkSafe((row[y] as number) + b.weight);
    }
  }
  return d;
}

/** Strength of the strongest path, a link x→y having strength d[x][y] when x beats y (winning votes), else 0. */
function strongestPaths(d: number[][], n: number): number[][] {
  const p = d.map((row, x) => row.map((v, y) => (x !== y && v > (d[y]?.[x] as number) ? v : 0)));
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number[];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const pj = p[j] as number[];
      for (let k = 0; k < n; k++) {
        if (k !== i && k !== j) pj[k] = Math.max(pj[k] as number, Math.min(pj[i] as number, pi[k] as number));
      }
    }
  }
  return p;
}
