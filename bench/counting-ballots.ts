/**
 * Seeded weighted ballots for the counting bench (bench/counting.ts), one profile in every form:
 * voters and candidates sit in a 2-D opinion space (a few voter blocs), and each voter's ranking,
 * single choice, approvals and grades follow from the distances, so the forms agree and IRV/STV
 * run many rounds, as in a real election with no majority favourite.
 */
import { METHODS, type BallotOf, type CountedMethod } from '../src/domain/counting/index.ts';
import { countBallots } from '../src/domain/counting/index.ts';
import type { ApprovalBallot, CountInput, CountResult, GradedBallot, RankedBallot, SingleBallot } from '../src/domain/counting/types.ts';
import { mulberry32 } from '../test/support/prng.ts';

export const BENCH_CANDIDATES = 10;
export const GRADES = 5;
/** Seats per method in the bench: STV fills three, every other method one. */
export const BENCH_SEATS: Readonly<Record<CountedMethod, number>> = { plurality: 1, approval: 1, score: 1, 'majority-judgment': 1, irv: 1, 'stv-scottish': 3, schulze: 1 };

export interface BallotSet {
  single: SingleBallot[];
  approval: ApprovalBallot[];
  graded: GradedBallot[];
  ranked: RankedBallot[];
}

/** Index drawn with the given relative weights. */
function pick(random: () => number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

// Most voters weigh 1; ranking lengths peak at 3–5 with some full rankings, as in published STV counts.
const WEIGHT_SHARES = [60, 20, 10, 6, 4];
const LENGTH_SHARES = [10, 12, 15, 14, 12, 9, 7, 6, 5, 10];
const BLANK_SHARE = 0.01;
const UNGRADED_SHARE = 0.15;

/** `count` voters over BENCH_CANDIDATES candidates, each voter's ballot in all four forms. */
export function generateBallots(count: number, seed = 18): BallotSet {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const candidates = Array.from({ length: BENCH_CANDIDATES }, () => [gauss(), gauss()] as const);
  const blocs = Array.from({ length: 4 }, () => [gauss() * 0.8, gauss() * 0.8] as const);
  const set: BallotSet = { single: [], approval: [], graded: [], ranked: [] };
  const utility = new Float64Array(BENCH_CANDIDATES);
  const order = Array.from({ length: BENCH_CANDIDATES }, (_, c) => c);
  for (let i = 0; i < count; i++) {
    const weight = 1 + pick(random, WEIGHT_SHARES);
    const bloc = blocs[Math.floor(random() * blocs.length)]!;
    const x = bloc[0] + gauss() * 0.7;
    const y = bloc[1] + gauss() * 0.7;
    for (let c = 0; c < BENCH_CANDIDATES; c++) {
      const [cx, cy] = candidates[c]!;
      utility[c] = -Math.hypot(x - cx, y - cy) + gauss() * 0.3;
    }
    order.sort((a, b) => utility[b]! - utility[a]!);
    const blank = random() < BLANK_SHARE;
    const length = blank ? 0 : 1 + pick(random, LENGTH_SHARES);
    set.ranked.push({ weight, ranking: order.slice(0, length) });
    set.single.push({ weight, choice: blank ? null : order[0]! });
    set.approval.push({ weight, approved: blank ? [] : order.slice(0, 1 + Math.floor(random() * 4)) });
    // Grades fall with distance; some candidates are left ungraded.
    set.graded.push({
      weight,
      grades: Array.from({ length: BENCH_CANDIDATES }, (_, c) => (blank || random() < UNGRADED_SHARE ? null : Math.max(0, Math.min(GRADES - 1, Math.round(GRADES - 1 + utility[c]! * 1.5))))),
    });
  }
  return set;
}

/** The bench's input for `method`: its form's ballots, its seats, the identity lot. */
export function inputFor<M extends CountedMethod>(method: M, set: BallotSet): CountInput<BallotOf[M]> {
  const form = METHODS.find((m) => m.method === method)!.form;
  return {
    candidates: BENCH_CANDIDATES,
    seats: BENCH_SEATS[method],
    ballots: set[form] as unknown as readonly BallotOf[M][],
    lotOrder: Array.from({ length: BENCH_CANDIDATES }, (_, c) => c),
  };
}

/** Counts the set by `method` as the bench times it. */
export function countSet(method: CountedMethod, set: BallotSet): CountResult {
  return countBallots(method, inputFor(method, set));
}
