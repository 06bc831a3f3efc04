/**
 * Work claimed in ranges, so several tally processes share one tally (docs/tally.md, "A tally on
 * several processes"). A claim only saves work: the tally stream's expected revision and the
 * decider keep each ballot counted once even when two processes hold the same range.
 */

/** Ballots `first … first + count - 1` of the covered ballots in log order. */
export interface TallyRange {
  index: number;
  first: number;
  count: number;
  /** Claimed before by a run that did not finish it (killed, stalled past its lease, or failed). */
  retaken?: boolean;
}

export interface TallyPlan {
  ballots: number;
  rangeSize: number;
}

export interface TallyRangeClaims {
  /** Fixes the plan once (the first caller's range size wins) and returns the one stored. */
  plan(electionId: string, plan: TallyPlan): Promise<TallyPlan>;
  /**
   * The lowest range not done whose lease is free or expired (below `below` when given), now
   * leased to `owner` for `leaseMs`; undefined when there is none.
   */
  claim(electionId: string, owner: string, leaseMs: number, below?: number): Promise<TallyRange | undefined>;
  /** Extends every lease `owner` holds on ranges not done; returns the indexes it still holds. */
  renew(electionId: string, owner: string, leaseMs: number): Promise<number[]>;
  /** Marks a range done (its ballots are counted in the stream); `by` when this owner appended them. */
  complete(electionId: string, index: number, by?: string): Promise<void>;
  /** Gives back `owner`'s ranges not done, so another process takes them at once. */
  release(electionId: string, owner: string): Promise<void>;
}

/** The ranges of a plan: consecutive, `rangeSize` ballots each, the last one shorter. */
export function rangesOf(plan: TallyPlan): TallyRange[] {
  const ranges: TallyRange[] = [];
  for (let first = 0, index = 0; first < plan.ballots; first += plan.rangeSize, index++) {
    ranges.push({ index, first, count: Math.min(plan.rangeSize, plan.ballots - first) });
  }
  return ranges;
}
