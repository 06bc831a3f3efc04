/** Every counting method by name, with the ballot form it reads (docs/methods.md). */
import { countApproval } from './approval.ts';
import { countIrv } from './irv.ts';
import { countMajorityJudgment } from './majority-judgment.ts';
import { countPlurality } from './plurality.ts';
import { countSchulze } from './schulze.ts';
import { countScore } from './score.ts';
import { countScottishStv, STV_SCALE } from './stv-scottish.ts';
import type { ApprovalBallot, CountInput, CountResult, GradedBallot, MethodName, RankedBallot, SingleBallot } from './types.ts';

/** The shape of ballot each method counts. */
export interface BallotOf {
  plurality: SingleBallot;
  approval: ApprovalBallot;
  score: GradedBallot;
  'majority-judgment': GradedBallot;
  irv: RankedBallot;
  'stv-scottish': RankedBallot;
  schulze: RankedBallot;
}

export type BallotFormKind = 'single' | 'approval' | 'ranked' | 'graded';

/** Each method, the ballot form it needs and whether its counter can fill more than one seat (an election may ask for several only under stv-scottish: validateBallotRules). */
export const METHODS: readonly { method: MethodName; form: BallotFormKind; multiSeat: boolean }[] = [
  { method: 'plurality', form: 'single', multiSeat: true },
  { method: 'approval', form: 'approval', multiSeat: true },
  { method: 'score', form: 'graded', multiSeat: true },
  { method: 'majority-judgment', form: 'graded', multiSeat: true },
  { method: 'irv', form: 'ranked', multiSeat: false },
  { method: 'stv-scottish', form: 'ranked', multiSeat: true },
  { method: 'schulze', form: 'ranked', multiSeat: true },
];

/** Methods counted here: all of them. */
export type CountedMethod = MethodName;

const COUNTERS: { [M in CountedMethod]: (input: CountInput<BallotOf[M]>) => CountResult } = {
  plurality: countPlurality,
  approval: countApproval,
  score: countScore,
  'majority-judgment': countMajorityJudgment,
  irv: countIrv,
  'stv-scottish': countScottishStv,
  schulze: countSchulze,
};

/** Counts `input` by `method`; throws RangeError on input the ballot-form decoder should have refused. */
export function countBallots<M extends CountedMethod>(method: M, input: CountInput<BallotOf[M]>): CountResult {
  const counter = COUNTERS[method] as (input: CountInput<BallotOf[M]>) => CountResult;
  return counter(input);
}

/**
 * The largest total weight `method` counts in exact safe integers: Scottish STV counts in 10^-5
 * units and score multiplies by grades, so their totals must stay that much below 2^53.
 */
export function maxCountedWeight(method: MethodName, scaleLength = 2): number {
  const factor = method === 'stv-scottish' ? STV_SCALE : method === 'score' ? Math.max(1, scaleLength - 1) : 1;
  return Math.floor(Number.MAX_SAFE_INTEGER / factor);
}
